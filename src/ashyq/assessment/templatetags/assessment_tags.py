from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value, digits=1):
    """0.4213 -> '42.1 %'; None -> '—'."""
    if value is None or value == "":
        return "—"
    return f"{number_format(100 * value, int(digits))} %"


@register.filter
def ci(rate):
    """A rate dict from scoring.rate -> '30.1–55.2 %' (Wilson 95 %), or '—'."""
    if not rate or rate.get("low") is None:
        return "—"
    return f"{number_format(100 * rate['low'], 1)}–{number_format(100 * rate['high'], 1)} %"


@register.filter
def num(value, digits=1):
    if value is None or value == "":
        return "—"
    return number_format(value, int(digits))


@register.filter
def signed(value):
    if value is None:
        return "—"
    return f"+{value:g}" if value > 0 else f"{value:g}"
