"""{% cite "key" table=4 %}: a publication of the registry (ashyq.core.publications) cited in the page's language."""

from django import template

from ashyq.core import publications

register = template.Library()


@register.simple_tag
def cite(key, table=None, page=None):
    return publications.cite(key, table=table, page=page)
