"""Steps that cannot be undone are taken on a second page that says what will happen, in every app, without a script.

The step's form posts as usual. A valid form not yet confirmed gets `core/confirm.html` instead of the service: the
question, what happens (the last point says what cannot be undone), what was entered read back in words, and the
same fields again as hidden inputs under two buttons. "Yes" posts them with `confirmed=yes` and the view runs the
service as it always did; "No, go back" posts them with `change=yes` and the view shows its form page again, bound
to what was typed. A form with errors skips the question: its page shows the errors as before. Clients that already
decided (the API, tests) post `confirmed=yes` at once.

Files cannot be carried in hidden inputs: a step whose form takes files asks for them again on this page, and says
so when files were chosen on the first page.

Switching the language on the confirmation page goes back to the form's page in the other language with what was
typed (core/language_draft.py), rather than to the step's address, which only takes a POST."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

CONFIRMED = "confirmed"  # the confirming button's name; its value is "yes"
CHANGE = "change"  # "No, go back"


@dataclass(frozen=True)
class Confirmation:
    question: str  # the page's heading, e.g. "Send the answer to appeal No. 12?"
    happens: Sequence[str]  # what happens, in plain words; one point says what cannot be undone
    button: str  # the confirming button, e.g. "Yes, send the answer"
    about: str = ""  # a line under the heading: what the step is about


def is_confirmed(request) -> bool:
    return request.POST.get(CONFIRMED) == "yes"


def ask_first(
    request,
    form,
    confirmation: Callable[[], Confirmation],
    *,
    page: str,
    back: Callable[[], HttpResponse],
) -> HttpResponse | None:
    """The answer to give before an irreversible step runs, or None to run it now (confirmed, or the form has errors
    that its own page shows). `page` is the address of the form's page; `back()` renders it with the bound form."""
    if is_confirmed(request) or not form.is_valid():
        return None
    if request.POST.get(CHANGE) == "yes":
        return back()
    return render(
        request,
        "core/confirm.html",
        {
            "confirmation": confirmation(),
            "form": form,
            "entries": entries(form),
            "carried": [f for f in form if not isinstance(f.field, forms.FileField)],
            "elsewhere": _typed_elsewhere(request, form),
            "files": [f for f in form if isinstance(f.field, forms.FileField)],
            "files_dropped": bool(request.FILES),
            "page": page,
        },
    )


NOT_CARRIED = {"csrfmiddlewaretoken", CONFIRMED, CHANGE}


def _typed_elsewhere(request, form) -> list[tuple[str, str]]:
    """Fields the post carried beside the step's own (on a page whose forms are one, what was typed in the other
    steps): carried as they are, so that going back or switching the language loses none of it. Never a
    password."""
    own = {bound.html_name for bound in form}
    return [
        (name, value)
        for name in request.POST
        if name not in own and name not in NOT_CARRIED and not name.startswith("submit-") and "password" not in name.lower()
        for value in request.POST.getlist(name)
    ]


def entries(form) -> list[tuple[str, str]]:
    """What was entered, read back as the person chose it: a choice's words rather than its code, a date as dates are
    shown on the site. Hidden fields (a signature) and files are left out; an optional field left empty reads "—"."""
    out = []
    for bound in form:
        field = bound.field
        if bound.is_hidden or isinstance(field, forms.FileField):
            continue
        out.append((str(field.label), _shown(field, form.cleaned_data.get(bound.name))))
    return out


def _shown(field, value) -> str:
    if value in (None, "", [], ()):
        return "—"
    if isinstance(field, forms.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, forms.DateField):
        return date_format(value, "d.m.Y")
    if isinstance(field, forms.ModelChoiceField):
        return str(value)
    if isinstance(field, forms.ChoiceField):
        labels = {str(k): str(v) for k, v in field.choices}
        values = value if isinstance(value, (list, tuple)) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    if isinstance(value, (list, tuple)):  # a field that cleans to a list (tags typed with commas)
        return ", ".join(str(v) for v in value)
    return str(value)
