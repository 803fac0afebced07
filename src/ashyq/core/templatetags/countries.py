"""{{ name|country }} and {{ names|countries }}: country and region names in the reader's language (core/countries.py).
A part that is not a country (an organisation as its source wrote it) is marked lang="en" (WCAG 3.1.2)."""

from django import template
from django.utils.html import format_html, format_html_join

from ashyq.core import countries as names

register = template.Library()


@register.filter
def country(value):
    return names.name(str(value)) if value is not None else value


def shown_parts(parts) -> str:
    """(text, translated) pairs as HTML: untranslated parts in <span lang="en">, joined by '; '."""
    return format_html_join(
        "; ", "{}", ((text if translated else format_html('<span lang="en">{}</span>', text),) for text, translated in parts)
    )


@register.filter(name="countries")
def country_list(value):
    if value is None:
        return value
    if isinstance(value, (list, tuple)):
        return shown_parts(value)
    return shown_parts(names.parts(str(value)))
