"""{% load deadline_marks %}{% deadline_badge state %}: the badge of an appeal's deadline state (dialogue/marks.py)."""

from django import template

from .. import marks

register = template.Library()


@register.simple_tag
def deadline_badge(state):
    return marks.badge(state)
