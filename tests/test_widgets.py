"""QuickSelect (core/widgets.py) writes exactly the HTML of Django's Select, escaped the same way, so the pages
that use it look and behave as before: the public list's filter form is compared whole, bound and unbound."""

import pytest
from django import forms

from ashyq.core.widgets import QuickSelect
from ashyq.dialogue.public_views import PublicFilterForm

CHOICES = [
    ("", "any"),
    ("a<b", 'x & "y"'),
    ("c", "C"),
    (7, "seven"),
    ("Group <g>", [("g1", "G1"), ("g2", "G<2>")]),
]


@pytest.mark.parametrize("value", [None, "", "c", "7", 7, "g2", "a<b", "missing"])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_x", "aria-describedby": "id_x_helptext", "required": True, "disabled": False, "data-q": '"'}]
)
def test_it_renders_what_djangos_select_renders(value, attrs):
    assert QuickSelect(choices=CHOICES).render("x", value, attrs) == forms.Select(choices=CHOICES).render("x", value, attrs)


def _with_djangos_select(form):
    for field in form.fields.values():
        if isinstance(field.widget, QuickSelect):
            plain = forms.Select(choices=field.choices, attrs=field.widget.attrs)
            plain.is_required = field.widget.is_required
            field.widget = plain
    return form


@pytest.mark.parametrize(
    "data", [None, {"q": "жол", "body": "anti-corruption-agency", "region": "KZ-75", "type": "report"}, {"status": "bad"}]
)
def test_the_public_filter_form_is_the_same_html(reference, data):
    quick, plain = PublicFilterForm(data), _with_djangos_select(PublicFilterForm(data))
    if data:
        quick.is_valid(), plain.is_valid()  # errors are part of the HTML
    html = "".join(str(field) for field in quick)
    assert html == "".join(str(field) for field in plain)
    assert "<option" in html and 'name="body"' in html
