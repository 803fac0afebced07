"""Figures on budget pages: amounts (thousand tenge in the data) shown in billion tenge, per cents."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def bn(value):
    """Thousand tenge -> billion tenge, with the decimals a figure of that size needs."""
    if value is None or value == "":
        return "—"
    billions = float(value) / 1e6
    decimals = 0 if abs(billions) >= 100 else 1 if abs(billions) >= 1 else 3
    return number_format(round(billions, decimals), decimals, use_l10n=True, force_grouping=True)


@register.filter
def pct(value):
    return "—" if value is None else f"{number_format(round(value, 1), 1, use_l10n=True)} %"


@register.filter
def signed_pct(value):
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return f"{sign}{number_format(round(abs(value), 1), 1, use_l10n=True)} %"


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def phase_name(phase):
    from ashyq.budget.models import Phase

    return dict(Phase.choices).get(phase, phase)
