"""Pages of Open Dialogue. Views parse forms and call services/selectors; permission lives there."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from ashyq.core import clock, confirmation, identity, language_draft, pagecache
from ashyq.core.forms import apply_errors, run_service
from ashyq.core.permissions import Can

from . import deadlines, marks, permissions, presenters, registry, selectors, services, submission_cap
from .actions import ACTIONS
from .forms import AppealForm, StaffNotificationsForm
from .models import Appeal, Attachment, Channel, StaffNotificationPreference


# The assistant's rates, read when a request comes (registry.FormAssistant).
def _per_user_when_asking(group, request):
    return registry.form_assistant().rate_per_user() if registry.assistant_asks(request) else None


def _per_address_when_asking(group, request):
    return registry.form_assistant().rate_per_address() if registry.assistant_asks(request) else None


@login_required
@ratelimit(group=registry.ASSISTANT_RATE_GROUP, key="user", rate=_per_user_when_asking, method="POST", block=True)
@ratelimit(group=registry.ASSISTANT_RATE_GROUP, key="ip", rate=_per_address_when_asking, method="POST", block=True)
def new_appeal(request):
    missing = writing_level_missing(request.user)
    if missing:
        # Told before writing a word, with the way to the level and back here: never a form that cannot be sent.
        return render(request, "core/level_needed.html", {"needs": missing, "back": request.get_full_path()})
    if registry.assistant_asks(request):
        return _with_body_suggestions(request)
    initial = {"body": request.GET.get("body")} if request.GET.get("body") else None
    form = AppealForm(request.POST or None, request.FILES or None, initial=initial)
    context = {"form": form, "needs": needs(request.user, identity.Step.WRITE_APPEAL), **signing_context(request.user)}
    if request.method == "POST" and request.POST.get("action") == SEND_SIGNING_CODE:
        return send_signing_code(request, form, "dialogue/new_appeal.html", context)
    if request.method == "POST" and form.is_valid():
        sent = submit_from_form(request, form, form.cleaned_data["body"])
        if sent is not None:
            return sent
    return render(request, "dialogue/new_appeal.html", context, status=400 if form.errors else 200)


def writing_level_missing(user) -> dict | None:
    """What the person lacks to write an appeal: the writing level, and where every appeal must be signed, the signing
    level too (ASHYQ_APPEAL_SIGNATURE=required), so nobody writes a whole appeal they then cannot send."""
    missing = level_missing(user, identity.Step.WRITE_APPEAL)
    if missing is None and services.signature_required():
        missing = level_missing(user, identity.Step.SIGN_APPEAL)
    return missing


def signing_context(user) -> dict:
    """For the appeal forms' signing part: what signing needs, whether the person has it, whether it is required."""
    return {
        "sign_needs": needs(user, identity.Step.SIGN_APPEAL),
        "sign_missing": level_missing(user, identity.Step.SIGN_APPEAL),
        "signature_required": services.signature_required(),
    }


SEND_SIGNING_CODE = "sms-code"  # the value of the form's "Send me a code" button


def _phone_errors_on_the_field(exc: ValidationError) -> ValidationError:
    """The accounts app names the number "phone"; on the appeal forms it is sign_phone."""
    if hasattr(exc, "error_dict") and "phone" in exc.error_dict:
        errors = dict(exc.error_dict)
        errors["sign_phone"] = errors.pop("phone")
        return ValidationError(errors)
    return exc


def send_signing_code(request, form, template: str, context: dict):
    """The appeal form's "Send me a code" button: the code that signs exactly the text in the form goes by SMS to the
    applicant's confirmed phone, and the form comes back as typed with the field for the code. Nothing is registered."""
    status = 400
    if form.is_valid():
        try:
            sent = services.request_signing_code(
                request, text=form.cleaned_data["text"], phone=form.cleaned_data.get("sign_phone", "")
            )
        except PermissionDenied as exc:
            form.add_error("sign_phone", str(exc))
            status = 403
        except ValidationError as exc:
            apply_errors(form, _phone_errors_on_the_field(exc))
            if isinstance(exc, identity.TooManyCodes):
                status = 429
            elif isinstance(exc, identity.SmsNotSent):
                status = 503  # the SMS service is down: not the person's mistake; the form keeps what they typed
        else:
            context = {**context, "sms_sent_to": sent["phone"]}
            status = 200
    # Browsers never send a chosen file back in a re-rendered form: say so rather than lose it silently.
    context = {**context, "files_dropped": bool(request.FILES)}
    return render(request, template, context, status=status)


def submit_from_form(request, form, body, channel=Channel.OPEN_DIALOGUE):
    """Send a valid appeal form (the Open Dialogue's or a channel's own) through the service, under the one cap on new
    appeals: the response to return (the appeal's page, or a 429), or None with the service's errors on the form."""
    data = form.cleaned_data
    wait = submission_cap.wait_seconds(request, request.user)
    if wait:
        response = render(
            request, "core/error.html", {"title": _("Too many requests"), "message": submission_cap.message(wait)}, status=429
        )
        response["Retry-After"] = str(wait)
        return response
    try:
        appeal = services.submit_appeal(
            request.user,
            body=body,
            type=data["type"],
            subject=data["subject"],
            text=data["text"],
            region=data["region"],
            is_public=data["is_public"],
            show_name=data["show_name"],
            attachments=request.FILES.getlist("attachments"),
            channel=channel,
            signature=data.get("signature", ""),  # the applicant's EDS, where the form offers signing
            sms_phone=data.get("sign_phone", ""),  # or the code sent by SMS to sign this text
            sms_code=data.get("sign_code", ""),
            signature_required=services.signature_required(),
        )
    except ValidationError as exc:
        apply_errors(form, _phone_errors_on_the_field(exc))
        return None
    except PermissionDenied as exc:  # below the signing level: said beside the code, nothing registered
        form.add_error("sign_code", str(exc))
        return None
    messages.success(
        request,
        _("Your appeal is registered as No. %(number)s. The answer is due by %(due)s.")
        % {"number": appeal.number, "due": appeal.due_on.strftime("%d.%m.%Y")},
    )
    return redirect("dialogue:detail", pk=appeal.pk)


def needs(user, step) -> dict:
    """The level a step needs, said on its form before the person starts."""
    return {"step": identity.Step(step), "level": identity.required_level(step), "current": identity.level_of(user)}


def _with_body_suggestions(request):
    """The form again with what the applicant entered and the suggested bodies above the body field.
    Nothing is registered; a "Choose this body" button puts its body in the field."""
    assistant = registry.form_assistant()
    chosen = assistant.chosen(request.POST)
    form = AppealForm(initial=_entered(request.POST, chosen))
    context = {
        "form": form,
        "body_suggestions": assistant.context(request.POST, chosen),
        # Browsers never send a chosen file back in a re-rendered form: say so rather than lose it silently.
        "files_dropped": bool(request.FILES),
        "needs": needs(request.user, identity.Step.WRITE_APPEAL),
    }
    return render(request, "dialogue/new_appeal.html", context)


def _entered(data, chosen: str) -> dict:
    """The applicant's entries as the form's initial values (an unbound form: no "required" errors yet)."""
    initial = {name: data.get(name) for name in ("type", "subject", "text", "region") if data.get(name)}
    initial.update(is_public=bool(data.get("is_public")), show_name=bool(data.get("show_name")))
    if chosen:
        initial["body"] = chosen
    return initial


@login_required
def my_appeals(request):
    appeals = list(selectors.appeals_of_applicant(request.user)[:200])
    return render(request, "dialogue/my_appeals.html", {"rows": _rows(appeals, show_body=True)})


INBOX_PAGE_SIZE = 50  # a page of the inbox; the counts above it cover every open appeal
# With closed appeals, the pages are counted only this far ahead of the page asked for: a busy body's whole
# record (~180 000 appeals at a million) would cost a count that grows with it on every page.
INBOX_CLOSED_PAGES_AHEAD = 20


def _rows(appeals, *, show_body=False, show_executor=False):
    """The rows of a list of appeals (dialogue/_table.html, with the same show_body/show_executor), each written
    once in Python with its deadline marks (marks.table_row), not by the template."""
    today = clock.today()
    rows = []
    for appeal in appeals:
        left = deadlines.working_days_left(appeal, today) if appeal.is_open else None
        state = deadlines.deadline_state(appeal, today)
        days_left = left if left is not None and left >= 0 else None
        days_late = -left if left is not None and left < 0 else None
        html = marks.table_row(
            appeal, state, days_late=days_late, days_left=days_left, show_body=show_body, show_executor=show_executor
        )
        rows.append({"appeal": appeal, "state": state, "html": html})
    return rows


def _steps_offered(user, appeal) -> dict[str, bool]:
    """Each step of actions.ACTIONS: may this user take it on this appeal now (permission and statutory window)."""
    today = clock.today()
    return {name: action.offered(user, appeal, today) for name, action in ACTIONS.items()}


def _forms_for(user, appeal, offered, posted=None, bound_form=None, typed=None):
    """The form of each step offered, in the table's order; a form that failed comes back bound, with its errors.
    The page's steps are one form, so a post carries what was typed in every step (`typed`): shown again, the
    others start from it, as after a switch of language."""
    with language_draft.typed(typed):
        forms = {name: ACTIONS[name].make_form(appeal) for name, yes in offered.items() if yes}
    if posted and bound_form is not None:
        forms[posted] = bound_form
    return [
        {
            "action": ACTIONS[name],
            "form": form,
            "help": ACTIONS[name].help(appeal) if ACTIONS[name].help else "",
            # A step above the person's level of verification: the form is replaced by how to reach it.
            "needs": level_missing(user, ACTIONS[name].needs),
        }
        for name, form in forms.items()
    ]


def level_missing(user, step) -> dict | None:
    return None if step is None or identity.meets(user, step) else needs(user, step)


@pagecache.public_page(pagecache.RECORD, pagecache.FIGURES)
def appeal_detail(request, pk, posted=None, bound_form=None, status=200, panel_data=None):
    appeal = get_object_or_404(selectors.appeals_visible_to(request.user), pk=pk)
    today = clock.today()
    offered = _steps_offered(request.user, appeal)
    context = {
        "appeal": appeal,
        "timeline": presenters.timeline(appeal, request.user),
        "texts": presenters.shown_texts(appeal, request.user),
        "publication": presenters.publication_state(appeal),
        "chain": presenters.redirect_chain(appeal),
        "sees_people": presenters.sees_people(request.user, appeal),
        "state": deadlines.deadline_state(appeal, today),
        "days_left": deadlines.working_days_left(appeal, today) if appeal.is_open else None,
        "forms": _forms_for(request.user, appeal, offered, posted, bound_form, request.POST if posted else None),
        # What the page may offer or say, from permissions.py (the template decides no rule itself): the site-wide
        # rules of core/permissions.py, each step of the table of actions, and what the applicant is told.
        "can": Can(
            request.user, **offered, challenge_in_court_only=permissions.can_only_challenge_in_court(request.user, appeal)
        ),
        "answer": getattr(appeal, "answer", None),
        "signatures": presenters.signatures(appeal, request.user),
        "feedback": getattr(appeal, "feedback", None),
        "complaint": Appeal.objects.filter(complaint_about=appeal).first()
        if presenters.sees_people(request.user, appeal)
        else None,
        "is_applicant": permissions.is_applicant(request.user, appeal),
        # The apps above dialogue show their panels on this page (content analysis, reports of abuse) through
        # core/registry.py; a panel's own view hands back what it needs shown again, e.g. a label form that
        # failed (analysis/label_views.py).
        "panel_data": panel_data or {},
    }
    return render(request, "dialogue/detail.html", context, status=status)


@login_required
@require_POST
def appeal_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    step = ACTIONS[action]
    appeal = get_object_or_404(selectors.appeals_visible_to(request.user), pk=pk)
    form = step.make_form(appeal, request.POST, request.FILES)
    permitted = step.permission(request.user, appeal)
    # Someone who may not take the step learns nothing from its form's errors, nor is asked to confirm it: the
    # service refuses a valid one.
    if not form.is_valid() and not permitted:
        raise PermissionDenied
    if step.confirm is not None and permitted:
        # A step that cannot be undone is taken on a second page that says what will happen; nothing changes until then.
        asked = confirmation.ask_first(
            request,
            form,
            lambda: step.confirm(appeal, form.cleaned_data),
            page=reverse("dialogue:detail", args=[appeal.pk]),
            back=lambda: appeal_detail(request, pk, posted=action, bound_form=form),
        )
        if asked is not None:
            return asked
    ran = run_service(
        request,
        form,
        lambda data: step.run(request.user, appeal, data, request.FILES.getlist(form.add_prefix("attachments"))),
        success=step.success,
    )
    if ran.done or ran.conflict:
        return redirect("dialogue:detail", pk=appeal.pk)
    return appeal_detail(request, pk, posted=action, bound_form=form, status=400)


def attachment_download(request, pk, attachment_id):
    appeal = get_object_or_404(selectors.appeals_visible_to(request.user), pk=pk)
    if not presenters.sees_people(request.user, appeal):
        raise Http404
    attachment = get_object_or_404(Attachment, pk=attachment_id, appeal=appeal)
    response = FileResponse(
        attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=True, filename=attachment.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def inbox(request):
    if not permissions.works_inbox(request.user):
        raise PermissionDenied
    show_closed = request.GET.get("closed") == "1"
    counts = selectors.inbox_counts(request.user)
    appeals = selectors.inbox(request.user, include_closed=show_closed)
    # The page's ids first (read in order from the indexes appeal_inbox_open and appeal_inbox_all, with the
    # ids in them), then only their rows joined to their body, applicant and executor (docs/benchmarks.md).
    ids_in_order = appeals.values_list("pk", flat=True)
    paginator = Paginator(ids_in_order, INBOX_PAGE_SIZE)
    more = False
    if not show_closed:
        paginator.count = counts["open"]  # the same rows the counts just counted: no second COUNT
    else:
        # Count only as far as a few pages past the one asked for; beyond that the page says "more than".
        try:
            asked = max(int(request.GET.get("page", 1)), 1)
        except ValueError:
            asked = 1
        limit = (asked + INBOX_CLOSED_PAGES_AHEAD) * INBOX_PAGE_SIZE
        counted = ids_in_order[: limit + 1].count()
        paginator.count, more = min(counted, limit), counted > limit
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    found = appeals.order_by().in_bulk(ids)
    return render(
        request,
        "dialogue/inbox.html",
        {
            "rows": _rows([found[pk] for pk in ids if pk in found], show_executor=True),
            "page": page,
            "counts": counts,
            "show_closed": show_closed,
            "more_pages": more,
            "body": request.user.body,
        },
    )


@login_required
def overdue(request):
    if not permissions.is_oversight(request.user):
        raise PermissionDenied
    appeals = list(selectors.overdue_appeals(request.user)[:1000])
    rows = _rows(appeals, show_body=True)
    by_body = {}
    for row in rows:
        by_body.setdefault(row["appeal"].body, []).append(row)
    summary = sorted(
        ({"body": b, "count": len(r), "very": sum(1 for x in r if x["state"] == "very_overdue")} for b, r in by_body.items()),
        key=lambda s: -s["count"],
    )
    return render(
        request,
        "dialogue/overdue.html",
        {
            "rows": rows,
            "summary": summary,
            # The threshold comes from the regulation in force, like every term (models.Regulation).
            "very_overdue_days": deadlines.current_regulation().very_overdue_working_days,
        },
    )


@login_required
@ratelimit(key="user", rate="60/h", method="POST", block=True)
def staff_notifications(request):
    """An official's or head's choice of emails about their body's appeals."""
    if not request.user.is_body_staff:
        raise PermissionDenied
    current = StaffNotificationPreference.objects.filter(user=request.user).first() or StaffNotificationPreference()
    form = StaffNotificationsForm(
        request.POST or None, initial={"each_appeal": current.each_appeal, "daily_digest": current.daily_digest}
    )
    if (
        request.method == "POST"
        and run_service(
            request,
            form,
            lambda data: services.set_staff_notifications(
                request.user, each_appeal=data["each_appeal"], daily_digest=data["daily_digest"]
            ),
            success=_("Your email settings are saved."),
        ).done
    ):
        return redirect("dialogue:notifications")
    return render(request, "dialogue/notifications.html", {"form": form}, status=400 if form.errors else 200)
