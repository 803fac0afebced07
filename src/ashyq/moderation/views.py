"""Pages of moderation. Views parse forms and call services/selectors, which check permissions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from ashyq.core import confirmation, language_draft
from ashyq.core.confirmation import Confirmation
from ashyq.core.forms import run_service
from ashyq.core.net import client_ip
from ashyq.dialogue import permissions as dialogue_permissions
from ashyq.dialogue.models import Appeal, Attachment
from ashyq.dialogue.selectors import public_appeals

from . import selectors, services
from .forms import AddRedactionForm, ApproveForm, RefuseForm, ReportForm, RestoreForm
from .models import FIELDS_OF, Target

REPORT_RATE_PER_ACCOUNT = "10/h"
REPORT_RATE_PER_ADDRESS = "20/h"


def _item_or_404(request, pk, target):
    selectors.require_moderator(request.user)
    if target not in FIELDS_OF:
        raise Http404
    appeal = get_object_or_404(Appeal.objects.select_related("body", "region"), pk=pk)
    if not selectors.is_awaiting(appeal, target):
        raise Http404
    return appeal


def queue(request):
    items = selectors.queue(request.user)
    return render(
        request,
        "moderation/queue.html",
        {
            "appeals": items[Target.APPEAL],
            "answers": items[Target.ANSWER],
            "hidden": items[Target.HIDDEN],
            "reasons": items[Target.REASONS],
        },
    )


def _field_choices(appeal, target):
    return [(field, selectors.field_label(appeal, field)) for field in selectors.fields_of(appeal, target)]


def _attachments(appeal, target):
    return list(appeal.attachments.all()) if target == Target.APPEAL else []


# The steps of the item page, each with its form. The page's steps are one <form> (moderation/item.html) whose buttons
# post it to each step's address, so every form is made with its step's name as prefix (add-fragment, refuse-note):
# steps that share a field's name (a refusal's and a hidden appeal's reason) never mix.
STEPS = {"add": AddRedactionForm, "approve": ApproveForm, "refuse": RefuseForm, "restore": RestoreForm, "keep": RefuseForm}


def _steps_of(target) -> tuple[str, ...]:
    return ("restore", "keep") if target == Target.HIDDEN else ("add", "approve", "refuse")


def _step_form(name, appeal, target, data=None):
    kwargs = {"prefix": name}
    if name == "add":
        kwargs["fields"] = _field_choices(appeal, target)
    elif name == "approve":
        attachments = _attachments(appeal, target)
        kwargs["attachments"] = attachments
        kwargs["initial"] = {"attachments": [a.pk for a in attachments if a.is_public]}
    return STEPS[name](data, **kwargs)


def item(request, pk, target, forms=None, status=200):
    appeal = _item_or_404(request, pk, target)
    forms = forms or {}
    fields = []
    for field, label in _field_choices(appeal, target):
        proposals = selectors.proposed_redactions(appeal, field)
        fields.append(
            {
                "name": field,
                "label": label,
                "original": selectors.original(appeal, field),
                "redacted": selectors.redacted(appeal, field, proposals),
                "proposals": proposals,
            }
        )
    context = {
        "appeal": appeal,
        "target": target,
        "target_label": Target(target).label,
        "fields": fields,
        "attachments": _attachments(appeal, target),
        "reports": list(selectors.open_reports(appeal)) if target == Target.HIDDEN else [],
        "public_texts": {
            "subject": appeal.public_subject,
            "text": appeal.public_text,
            "answer": getattr(getattr(appeal, "answer", None), "public_text", ""),
        },
    }
    # Shown again after a post (a step with errors, or "No, go back" from its confirmation), the other steps start
    # from what the post carried of them, as after a switch of language: nothing typed anywhere on the page is lost.
    with language_draft.typed(request.POST if request.method == "POST" else None):
        for name in _steps_of(target):
            context[f"{name}_form"] = forms.get(name) or _step_form(name, appeal, target)
    return render(request, "moderation/item.html", context, status=status)


def _run(request, pk, target, name, form, action, success, confirm=None):
    """Validate the form, run the service; on a rule broken show the item again with the errors. A decision that
    cannot be undone (`confirm`: what its confirmation page says) is asked first (core/confirmation.py)."""
    page = reverse("moderation:item", args=[pk, target])
    if confirm is not None:
        asked = confirmation.ask_first(
            request,
            form,
            confirm,
            page=page,
            back=lambda: item(request, pk, target, forms={name: form}),
        )
        if asked is not None:
            return asked
    ran = run_service(request, form, action, success=success)
    if ran.conflict:
        return redirect("moderation:queue")
    if ran.done and name == "add":
        return _back_to_the_item(request, page, leave_out={bound.html_name for bound in form})
    if ran.done:
        return redirect("moderation:queue")
    return item(request, pk, target, forms={name: form}, status=400)


def _back_to_the_item(request, page, leave_out):
    """After a redaction is added or removed the item is shown again, with what was typed in its other steps (a
    refusal's note, the attachments chosen) kept for it (core/language_draft.py); the step just taken starts empty."""
    language_draft.keep_for(request, page, leave_out=leave_out)
    return redirect(page)


def _about(appeal, target) -> str:
    return f"{str(Target(target).label).capitalize()} — {appeal.body}"


@require_POST
def add_redaction(request, pk, target):
    appeal = _item_or_404(request, pk, target)
    form = _step_form("add", appeal, target, request.POST)
    return _run(
        request,
        pk,
        target,
        "add",
        form,
        lambda d: services.add_redaction(
            request.user, appeal, target=target, field=d["field"], fragment=d["fragment"], kind=d["kind"]
        ),
        _("The redaction is added."),
    )


@require_POST
def remove_redaction(request, pk, target):
    """A proposal's "Remove" button names it as field:start:end (a field's name may hold a dash, never a colon)."""
    appeal = _item_or_404(request, pk, target)
    try:
        field, start, end = request.POST["remove"].rsplit(":", 2)
        services.remove_redaction(request.user, appeal, target=target, field=field, start=int(start), end=int(end))
    except (KeyError, ValueError, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [_("This redaction is no longer proposed.")])))
    else:
        messages.success(request, _("The redaction is removed."))
    return _back_to_the_item(request, reverse("moderation:item", args=[pk, target]), leave_out={"remove"})


@require_POST
def approve(request, pk, target):
    appeal = _item_or_404(request, pk, target)
    if target == Target.HIDDEN:
        raise Http404
    form = _step_form("approve", appeal, target, request.POST)
    return _run(
        request,
        pk,
        target,
        "approve",
        form,
        lambda d: services.approve(request.user, appeal, target=target, public_attachments=d.get("attachments", [])),
        _("Published: the public now sees the redacted copy."),
        confirm=lambda: Confirmation(
            question=_("Publish the redacted copy for appeal No. %(number)s?") % {"number": appeal.number},
            about=_about(appeal, target),
            happens=[
                _(
                    "Everyone can read the redacted copy shown on the previous page: on the appeal's public page, in the API and in the open data."
                ),
                _(
                    "This cannot be undone: what was public may have been read and copied. Later the appeal can only be hidden after reports."
                ),
            ],
            button=_("Yes, publish"),
        ),
    )


@require_POST
def refuse(request, pk, target):
    appeal = _item_or_404(request, pk, target)
    if target == Target.HIDDEN:
        raise Http404
    form = _step_form("refuse", appeal, target, request.POST)
    return _run(
        request,
        pk,
        target,
        "refuse",
        form,
        lambda d: services.refuse(request.user, appeal, target=target, reason=d["reason"], note=d["note"]),
        _("Publication refused; it stays private."),
        confirm=lambda: Confirmation(
            question=_("Refuse publication for appeal No. %(number)s?") % {"number": appeal.number},
            about=_about(appeal, target),
            happens=[
                _("The public does not see it; the applicant and the body still do."),
                _("This cannot be undone: the refusal and your reason go on the appeal's record, and the item leaves the queue."),
            ],
            button=_("Yes, refuse publication"),
        ),
    )


@require_POST
def restore(request, pk):
    appeal = _item_or_404(request, pk, Target.HIDDEN)
    form = _step_form("restore", appeal, Target.HIDDEN, request.POST)
    return _run(
        request,
        pk,
        Target.HIDDEN,
        "restore",
        form,
        lambda d: services.restore(request.user, appeal, note=d["note"]),
        _("Restored: the public sees the appeal again."),
        confirm=lambda: Confirmation(
            question=_("Restore appeal No. %(number)s to the public?") % {"number": appeal.number},
            about=_about(appeal, Target.HIDDEN),
            happens=[
                _(
                    "Everyone can read it again as it was published: on the appeal's public page, in the API and in the open data."
                ),
                _(
                    "This cannot be undone: the restoring and your note go on the appeal's record and close the reports; "
                    "what is public again may be read and copied, and hiding it again takes new reports."
                ),
            ],
            button=_("Yes, restore it"),
        ),
    )


@require_POST
def keep_hidden(request, pk):
    appeal = _item_or_404(request, pk, Target.HIDDEN)
    form = _step_form("keep", appeal, Target.HIDDEN, request.POST)
    return _run(
        request,
        pk,
        Target.HIDDEN,
        "keep",
        form,
        lambda d: services.keep_hidden(request.user, appeal, reason=d["reason"], note=d["note"]),
        _("The appeal stays hidden."),
        confirm=lambda: Confirmation(
            question=_("Keep appeal No. %(number)s hidden?") % {"number": appeal.number},
            about=_about(appeal, Target.HIDDEN),
            happens=[
                _("The appeal stays hidden from the public; the applicant and the body still see it."),
                _("This cannot be undone: your decision closes the reports and goes on the appeal's record with your reason."),
            ],
            button=_("Yes, keep it hidden"),
        ),
    )


def attachment(request, pk, attachment_id):
    """A moderator opens an attachment of an appeal awaiting publication to decide whether it may be public."""
    appeal = _item_or_404(request, pk, Target.APPEAL)
    file = get_object_or_404(Attachment, pk=attachment_id, appeal=appeal)
    response = FileResponse(file.file.open("rb"), content_type=file.content_type, as_attachment=True, filename=file.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _per_account_rate(group, request):
    return REPORT_RATE_PER_ACCOUNT if request.user.is_authenticated else None


@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate=_per_account_rate, method="POST", block=False)
@ratelimit(key="ip", rate=REPORT_RATE_PER_ADDRESS, method="POST", block=False)
def report(request, pk):
    """The report form on its own page (GET: where the appeal page's link leads a visitor who is not signed in,
    so that the shared, cached appeal page carries no CSRF token) and its submission (POST)."""
    if getattr(request, "limited", False):
        return render(
            request,
            "core/error.html",
            {
                "title": _("Too many reports"),
                "message": _(
                    "You have sent too many reports of abuse. Please try again in an hour; moderators already review the reports they have."
                ),
            },
            status=429,
        )
    appeal = get_object_or_404(public_appeals().select_related("answer"), pk=pk)
    answer = getattr(appeal, "answer", None)
    answer_published = answer is not None and answer.published_at is not None
    if request.method == "GET":
        return render(
            request, "moderation/report.html", {"appeal": appeal, "report_form": ReportForm(answer_published=answer_published)}
        )
    form = ReportForm(request.POST, answer_published=answer_published)
    ran = run_service(
        request,
        form,
        lambda data: services.report_abuse(
            request.user,
            client_ip(request),
            appeal,
            target=data["target"],
            reason=data["reason"],
            comment=data["comment"],
        ),
    )
    if ran.conflict:
        return redirect("home")
    if ran.done:
        if ran.result is None:
            messages.info(request, _("You have already reported this appeal; moderators will review it."))
        else:
            messages.success(request, _("Thank you: moderators will review your report."))
        appeal.refresh_from_db(fields=["hidden_at"])
        if dialogue_permissions.can_view(request.user, appeal):
            return redirect("dialogue:detail", pk=appeal.pk)
        return redirect("home")
    return render(request, "moderation/report.html", {"appeal": appeal, "report_form": form}, status=400)
