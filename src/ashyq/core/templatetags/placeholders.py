"""{{ text|placeholders }}: the redaction placeholders of a public text ([NAME], [IIN], ...) in the page's language."""

from django import template

from ashyq.core import placeholders as tokens

register = template.Library()


@register.filter(is_safe=True)  # it only swaps bracketed words for others: nothing that needs escaping is added
def placeholders(text):
    return tokens.shown(text)
