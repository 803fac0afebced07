"""The President's Virtual Reception: its own entry page and form. The appeal is an ordinary one on the
virtual_reception channel, registered at the Presidential Administration, which answers it or redirects it to the
competent body under the usual rules (terms, the record); only the door is different."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ashyq.core import identity

from . import selectors
from .forms import VirtualReceptionForm
from .models import Channel
from .views import SEND_SIGNING_CODE, needs, send_signing_code, signing_context, submit_from_form, writing_level_missing


@login_required
def virtual_reception(request):
    missing = writing_level_missing(request.user)
    if missing:
        # Told before writing a word, with the way to the level and back here.
        return render(request, "core/level_needed.html", {"needs": missing, "back": request.get_full_path()})
    body = selectors.virtual_reception_body()
    if body is None:
        return render(request, "dialogue/virtual_reception.html", {"body": None}, status=503)
    form = VirtualReceptionForm(request.POST or None, request.FILES or None)
    context = {
        "form": form,
        "body": body,
        "needs": needs(request.user, identity.Step.WRITE_APPEAL),
        **signing_context(request.user),
    }
    if request.method == "POST" and request.POST.get("action") == SEND_SIGNING_CODE:
        return send_signing_code(request, form, "dialogue/virtual_reception.html", context)
    if request.method == "POST" and form.is_valid():
        sent = submit_from_form(request, form, body, channel=Channel.VIRTUAL_RECEPTION)
        if sent is not None:
            return sent
    return render(request, "dialogue/virtual_reception.html", context, status=400 if form.errors else 200)
