"""{{ text|code_spans }}: a description whose `backticked` words are values as they appear in a file or an API (status
codes, field names). They are shown as <code>, written the same in every language, so a Kazakh or Russian sentence can
name `answered` without the value reading as an English word left untranslated."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

_BACKTICKED = re.compile(r"`([^`]+)`")


@register.filter
def code_spans(value):
    return mark_safe(_BACKTICKED.sub(r"<code>\1</code>", escape(value)))
