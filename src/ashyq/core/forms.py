from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from .errors import Conflict


def signature_field():
    """A form's optional digital signature (core/eds.py): a hidden field that the page's script fills with NCALayer's
    CMS over the form's text; its template (core/_eds_sign.html) says how to sign, or what to do without NCALayer."""
    from django import forms
    from django.utils.translation import gettext_lazy

    from .eds import MAX_SIGNATURE_CHARS

    return forms.CharField(
        label=gettext_lazy("Digital signature"), required=False, max_length=MAX_SIGNATURE_CHARS, widget=forms.HiddenInput
    )


def apply_errors(form, exc: ValidationError):
    """Show a service's ValidationError on the form: field messages beside their fields, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@dataclass(frozen=True)
class Ran:
    """What became of a form's step: done (with the service's result), refused as a conflict (a message is already
    on the page), or to be shown again (the form carries its errors; answer 400)."""

    done: bool
    result: Any = None
    conflict: bool = False


def run_service(request, form, call: Callable[[dict], Any], success: str | Callable[[Any], str | None] | None = None) -> Ran:
    """The one way a page runs a service from a bound form, in every app.

    The form is validated; `call(cleaned_data)` runs the service. Its ValidationError goes beside the form's
    fields; a Conflict (the step is no longer possible) becomes an error message; PermissionDenied propagates
    (403). On success the message `success` is shown (a callable gets the service's result; None shows nothing).
    """
    if not form.is_valid():
        return Ran(done=False)
    try:
        result = call(form.cleaned_data)
    except PermissionDenied:
        raise
    except Conflict as exc:
        messages.error(request, " ".join(exc.messages))
        return Ran(done=False, conflict=True)
    except ValidationError as exc:
        apply_errors(form, exc)
        return Ran(done=False)
    message = success(result) if callable(success) else success
    if message:
        messages.success(request, message)
    return Ran(done=True, result=result)
