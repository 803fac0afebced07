"""{{ value|user_content }}: what a person typed (a username, a name), marked as theirs. A Kazakh or Russian page may
carry a username in Latin letters; the mark says it is the person's own word, not a phrase of the interface left
untranslated, and asks browsers' page translators to leave it as written."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def user_content(value):
    return format_html('<span data-user-content translate="no">{}</span>', value)
