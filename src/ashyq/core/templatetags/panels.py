"""{% panels "place" key=value %}: the panels other apps registered for this place (core/registry.py)."""

from django import template
from django.utils.safestring import mark_safe

from ashyq.core.registry import render_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context, place, **kwargs):
    # Each panel is rendered by its own template, which escapes its output.
    return mark_safe("".join(render_panels(place, context.get("request"), **kwargs)))  # noqa: S308
