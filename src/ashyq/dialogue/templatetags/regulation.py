"""The terms of the Regulation in force, for the pages that tell people what to expect (the home page, the appeal
form). A page never writes "15 working days" itself: a new regulation version changes every page that quotes it.

    {% load regulation %}{% current_regulation as regulation %}
    {% blocktranslate with term=regulation.answer_working_days|within_working_days %}... {{ term }} ...{% endblocktranslate %}
"""

from django import template
from django.utils.translation import ngettext

from .. import deadlines

register = template.Library()


@register.simple_tag
def current_regulation():
    return deadlines.current_regulation()


@register.filter
def within_working_days(n) -> str:
    """The phrase "within 3 working days", with the plural and the case the language needs after its word for "within"."""
    n = int(n)
    return ngettext("within %(n)d working day", "within %(n)d working days", n) % {"n": n}
