"""`{% eds_signing field %}`: a form's digital-signature step (core/_eds_sign.html), wherever the form is drawn."""

from django import template
from django.conf import settings

from ashyq.core import eds

register = template.Library()


@register.inclusion_tag("core/_eds_sign.html", takes_context=True)
def eds_signing(context, field):
    request = context.get("request")
    return {
        "field": field,
        "enabled": eds.enabled(),
        "ncalayer_url": settings.ASHYQ_NCALAYER_URL,
        # The form's field whose text is signed: "text" on the appeal's and the answer's forms (by its name in the
        # page, with the form's prefix: "answer-text" on the appeal page).
        "text_field": field.form.add_prefix("text"),
        "back": request.get_full_path() if request is not None else "",
    }
