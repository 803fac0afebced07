"""Pages of Open Legal Acts. Thin: forms parse, services decide, selectors read. No page needs JavaScript:
a point is chosen by a link (?point=eId), and its comment form opens right under it."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from ashyq.bodies.models import Body
from ashyq.core import clock, confirmation, csv_safe
from ashyq.core.confirmation import Confirmation
from ashyq.core.forms import apply_errors
from ashyq.dialogue.errors import Conflict

from . import diff, permissions, rules, selectors, services
from .forms import (
    AbuseForm,
    AdoptForm,
    CommentForm,
    DecisionForm,
    DraftForm,
    ExtendForm,
    FilterForm,
    ModerationForm,
    ReplyForm,
    ReportForm,
    VersionForm,
    WithdrawForm,
)
from .models import Comment, CommentStatus, Phase, Process, Stage

WHEN = {"open": _("Open for comments"), "upcoming": _("Upcoming"), "past": _("Past")}


def _lang() -> str:
    return (get_language() or "kk")[:2]


@require_safe
def index(request):
    when = request.GET.get("when", "open")
    if when not in ("open", "upcoming", "past"):
        when = "open"
    form = FilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.filtered_processes(
        when=when, body=filters.get("body"), act_type=filters.get("act_type", ""), phase=filters.get("phase", "")
    )
    page = Paginator(qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.decorate(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("when", None)
    status = 200 if (form.is_valid() or not request.GET) else 400
    return render(
        request,
        "legalacts/index.html",
        {
            "form": form,
            "page": page,
            "when": when,
            "tabs": [("open", _("Open for comments")), ("upcoming", _("Upcoming")), ("past", _("Past"))],
            "query": query.urlencode(),
            "may_publish": permissions.may_publish_drafts(request.user),
        },
        status=status,
    )


def _process_or_404(pk) -> Process:
    process = get_object_or_404(selectors.public_processes(), pk=pk)
    selectors.decorate([process])
    return process


def _version(process, request):
    versions = list(process.versions.all())
    number = request.GET.get("version")
    chosen = versions[-1]
    if number and number.isdigit():
        chosen = next((v for v in versions if v.number == int(number)), None)
        if chosen is None:
            raise Http404
    return versions, chosen


def _process_context(request, process, *, comment_form=None, point=None):
    versions, version = _version(process, request)
    current = versions[-1]
    comments = list(selectors.comments_for(request.user, process))
    by_eid: dict[str, list] = {}
    for item in comments:
        by_eid.setdefault(item.provision_eid, []).append(item)
    point = point if point is not None else request.GET.get("point", "")
    provisions = list(version.provisions.all())
    if point and not any(p.eid == point for p in provisions):
        point = ""
    can_comment = process.phase == Phase.OPEN and version.pk == current.pk
    for p in provisions:
        p.comments = by_eid.get(p.eid, [])
    return {
        "process": process,
        "versions": versions,
        "version": version,
        "current": current,
        "provisions": provisions,
        "general_comments": by_eid.get("", []),
        "point": point,
        "can_comment": can_comment,
        "comment_form": comment_form or CommentForm(initial={"provision": point}),
        "is_developer": permissions.is_developer(request.user, process),
        "sees_originals": permissions.sees_originals(request.user, process),
        "is_moderator": permissions.is_moderator(request.user),
        "counts": selectors.comment_counts(process),
        "lang": _lang(),
    }


@require_safe
def process_page(request, pk):
    process = _process_or_404(pk)
    return render(request, "legalacts/process.html", _process_context(request, process))


@require_POST
@login_required
@ratelimit(key="user", rate="20/h", method="POST", block=True)
@ratelimit(key="ip", rate="60/h", method="POST", block=True)
def comment(request, pk):
    process = _process_or_404(pk)
    form = CommentForm(request.POST)
    point = request.POST.get("provision", "")
    if form.is_valid():
        try:
            services.comment(
                request.user,
                process,
                text=form.cleaned_data["text"],
                provision_eid=form.cleaned_data["provision"],
                quote=form.cleaned_data["quote"],
            )
        except Conflict as exc:
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            if "provision" in getattr(exc, "error_dict", {}):
                form.add_error(None, exc.message_dict["provision"])
            else:
                apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you. Your comment is published after moderation."))
            return redirect(
                reverse("legalacts:process", args=[process.pk]) + (f"?point={point}#p-{point}" if point else "#general")
            )
    context = _process_context(request, process, comment_form=form, point=point)
    return render(request, "legalacts/process.html", context, status=400)


def _comment_or_404(request, pk) -> Comment:
    item = get_object_or_404(Comment.objects.select_related("process"), pk=pk)
    if item.status != CommentStatus.PUBLISHED and not permissions.sees_originals(request.user, item.process):
        raise Http404
    return item


@require_POST
@login_required
@ratelimit(key="user", rate="120/h", method="POST", block=True)
def comment_action(request, pk, action):
    """Support, oppose, take back, or report a comment (anyone signed in); reply and decide (the developer);
    publish, refuse, hide, restore (moderators). A refusal comes back as a message; nothing else changes."""
    item = _comment_or_404(request, pk)
    process = item.process
    back = request.POST.get("next") or reverse("legalacts:process", args=[process.pk]) + f"#c-{item.pk}"
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("legalacts:process", args=[process.pk])
    asked = _ask_about_comment(request, item, action, back)
    if asked is not None:
        return asked
    try:
        if action in ("support", "oppose", "clear"):
            services.set_stance(request.user, item, {"support": True, "oppose": False, "clear": None}[action])
        elif action == "abuse":
            form = AbuseForm(request.POST)
            if not form.is_valid():
                raise ValidationError({"reason": _("Say what is wrong with this comment.")})
            services.report_abuse(request.user, item, form.cleaned_data["reason"])
            messages.success(request, _("Thank you. A moderator will look at this comment."))
        elif action == "reply":
            form = ReplyForm(request.POST)
            if not form.is_valid():
                raise ValidationError({"text": _("Write the reply.")})
            services.reply(request.user, item, form.cleaned_data["text"])
        elif action == "decide":
            form = DecisionForm(request.POST)
            form.auto_id = f"c{item.pk}_%s"
            if not form.is_valid():
                return _manage(request, process, failed={item.pk: form}, status=400)
            try:
                services.decide(request.user, item, form.cleaned_data["decision"], form.cleaned_data["reason"])
            except Conflict:
                raise
            except ValidationError as exc:
                apply_errors(form, exc)
                return _manage(request, process, failed={item.pk: form}, status=400)
        elif action in ("publish", "refuse", "hide", "restore"):
            form = ModerationForm(request.POST)
            if not form.is_valid():
                # A public copy past the limit is refused with its message, never cut or replaced by the default.
                return _moderation_page(request, kept={item.pk: form}, status=400)
            services.moderate(request.user, item, action, public_text=form.cleaned_data.get("public_text") or None)
        else:
            raise Http404
    except (Conflict, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(back)


# A moderator's decision and a developer's reply reach the public, or keep a comment from it, at once: each is asked
# on a second page first (core/confirmation.py). The status each moderation starts from: from any other, the service
# refuses the step, and its message is shown rather than a question about a step that cannot be taken.
MODERATED_FROM = {"publish": CommentStatus.PENDING, "refuse": CommentStatus.PENDING, "hide": CommentStatus.PUBLISHED}


def _ask_about_comment(request, item, action, back):
    """The confirmation page of a comment's step that needs one, or None to take the step now. Only who may take the
    step is asked (the others get 403, as from the service); a step that cannot be taken any more is not asked."""
    process = item.process
    if action in MODERATED_FROM:
        if not permissions.is_moderator(request.user):
            raise PermissionDenied
        if item.status != MODERATED_FROM[action]:
            return None
        form = ModerationForm(request.POST) if action == "publish" else Form(request.POST)
        page = reverse("legalacts:moderation")
        again = lambda: _moderation_page(request, kept={item.pk: form}) if action == "publish" else redirect(back)  # noqa: E731
    elif action == "reply":
        if not permissions.is_developer(request.user, process):
            raise PermissionDenied
        if item.status == CommentStatus.REFUSED:
            return None
        form = ReplyForm(request.POST, auto_id=f"r{item.pk}_%s")
        page = reverse("legalacts:manage", args=[process.pk])
        again = lambda: _manage(request, process, replies={item.pk: form})  # noqa: E731
    else:
        return None
    return confirmation.ask_first(request, form, lambda: COMMENT_STEPS[action](item), page=page, back=again)


COMMENT_STEPS = {
    "publish": lambda item: Confirmation(
        question=_("Publish this comment?"),
        about=item.process.title,
        happens=[
            _(
                "Everyone can read the public copy below on the draft's page, under the author's pseudonym; "
                "the developer must answer it in the report."
            ),
            _("The original stays visible to the developer and moderators only."),
            _("This cannot be undone: a published comment can be hidden later, but people may already have read it."),
        ],
        button=_("Yes, publish the comment"),
    ),
    "refuse": lambda item: Confirmation(
        question=_("Refuse this comment?"),
        about=item.process.title,
        happens=[
            _("The comment is never shown on the draft's page, and the report does not answer it."),
            _("This cannot be undone: a refused comment cannot be published later."),
        ],
        button=_("Yes, refuse the comment"),
    ),
    "hide": lambda item: Confirmation(
        question=_("Hide this comment?"),
        about=item.process.title,
        happens=[
            _(
                "The comment disappears from the draft's page for readers; the developer still sees it and answers it in the report."
            ),
            _("A moderator can restore it later; hiding and restoring are both recorded."),
        ],
        button=_("Yes, hide the comment"),
    ),
    "reply": lambda item: Confirmation(
        question=_("Publish your reply to this comment?"),
        about=item.process.title,
        happens=[
            _("The reply is shown under the comment on the draft's page at once, to everyone, as the developer's reply."),
            _("This cannot be undone: a reply cannot be changed or deleted; to correct it, write another reply."),
        ],
        button=_("Yes, publish the reply"),
    ),
}


def _require_developer(request, process):
    if not permissions.is_developer(request.user, process):
        raise PermissionDenied


def _manage(request, process, *, failed=None, forms=None, replies=None, status=200):
    comments = list(selectors.comments_for(request.user, process))
    failed, replies = failed or {}, replies or {}
    for item in comments:
        # One form per comment on the page: ids carry the comment's number so labels stay unique.
        item.decision_form = failed.get(item.pk) or DecisionForm(
            initial={"decision": item.decision or None, "reason": item.reason}, auto_id=f"c{item.pk}_%s"
        )
        item.reply_form = replies.get(item.pk) or ReplyForm(auto_id=f"r{item.pk}_%s")
    forms = forms or {}
    context = {
        "process": process,
        "comments": comments,
        "counts": selectors.comment_counts(process),
        "version_form": forms.get("version") or VersionForm(),
        "extend_form": forms.get("extend") or ExtendForm(),
        "report_form": forms.get("report") or ReportForm(),
        "adopt_form": forms.get("adopt") or AdoptForm(),
        "withdraw_form": forms.get("withdraw") or WithdrawForm(),
        "is_developer": True,
        "earliest": rules.earliest_close(process.rule, process.act_type, process.opens_on),
    }
    return render(request, "legalacts/manage.html", context, status=status)


@login_required
def manage(request, pk):
    process = _process_or_404(pk)
    _require_developer(request, process)
    return _manage(request, process)


FORMS = {"version": VersionForm, "extend": ExtendForm, "report": ReportForm, "adopt": AdoptForm, "withdraw": WithdrawForm}


@require_POST
@login_required
def manage_action(request, pk, action):
    process = _process_or_404(pk)
    _require_developer(request, process)
    if action not in FORMS:
        raise Http404
    form = FORMS[action](request.POST, request.FILES)
    if action == "report" and services.report_refusal(process):
        pass  # the report cannot be published yet: the service's refusal is shown on the form, no question first
    elif action in CONFIRMED:
        # Each of these is final (the discussion ends, cannot be shortened again, or its decisions become final and
        # public): a second page says so first (core/confirmation.py).
        asked = confirmation.ask_first(
            request,
            form,
            lambda: CONFIRMED[action](process, form.cleaned_data),
            page=reverse("legalacts:manage", args=[process.pk]),
            back=lambda: _manage_again(request, process, action, form, status=200),
        )
        if asked is not None:
            return asked
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "version":
                services.new_version(
                    request.user,
                    process,
                    text_kk=data["text_kk"],
                    text_ru=data["text_ru"],
                    text_en=data["text_en"],
                    note=data["note"],
                    source_format=data["source_format"],
                )
            elif action == "extend":
                services.extend_window(request.user, process, data["closes_on"])
            elif action == "report":
                services.publish_report(request.user, process, data["summary"])
            elif action == "adopt":
                act = services.adopt(
                    request.user,
                    process,
                    number=data["number"],
                    adopted_on=data["adopted_on"],
                    registration_number=data["registration_number"],
                    registered_on=data["registered_on"],
                )
                messages.success(request, _("The act is adopted and entered in the register."))
                return redirect("legalacts:act", act.code)
            elif action == "withdraw":
                services.withdraw(request.user, process, data["reason"])
        except ValidationError as exc:  # Conflict included: it is shown above the form
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("legalacts:manage", process.pk)
    return _manage_again(request, process, action, form, status=400)


def _manage_again(request, process, action, form, status):
    selectors.decorate([process])
    return _manage(request, process, forms={action: form}, status=status)


CONFIRMED = {
    "extend": lambda process, data: Confirmation(
        question=_("Extend the discussion until %(date)s?") % {"date": date_format(data["closes_on"], "d.m.Y")},
        about=process.title,
        happens=[
            _("Comments are accepted until %(date)s instead of %(before)s; the draft's page shows the new date.")
            % {"date": date_format(data["closes_on"], "d.m.Y"), "before": date_format(process.closes_on, "d.m.Y")},
            _("The report is then due by %(date)s.")
            % {"date": date_format(rules.report_due(process.rule, data["closes_on"]), "d.m.Y")},
            _("This cannot be undone: the discussion cannot be shortened again."),
        ],
        button=_("Yes, extend the discussion"),
    ),
    "report": lambda process, data: Confirmation(
        question=_("Publish the report on the discussion?"),
        about=process.title,
        happens=[
            _(
                "Everyone can read each comment with your decision and its reason, and download them as CSV and JSON; "
                "decisions: %(n)d."
            )
            % {"n": selectors.comment_counts(process)["answered"]},
            _("No new version of the draft can be published any more, and no comment can be removed by moderation."),
            _("This cannot be undone: the report is published once, and its decisions are final."),
        ],
        button=_("Yes, publish the report"),
    ),
    "adopt": lambda process, data: Confirmation(
        question=_("Record that the draft is adopted as act No. %(number)s?") % {"number": data["number"]},
        about=process.title,
        happens=[
            _("The discussion ends, and the act enters the public register of adopted acts with its number and dates."),
            _("This cannot be undone: an adopted act cannot return to discussion."),
        ],
        button=_("Yes, record the adoption"),
    ),
    "withdraw": lambda process, data: Confirmation(
        question=_("Withdraw the draft from public discussion?"),
        about=process.title,
        happens=[
            _("The discussion ends: no one can comment any more, and the draft shows as withdrawn, with your reason."),
            _("This cannot be undone: a withdrawn draft cannot be reopened; a new draft needs a new discussion."),
        ],
        button=_("Yes, withdraw the draft"),
    ),
}


@login_required
def new_draft(request):
    if not permissions.may_publish_drafts(request.user):
        raise PermissionDenied
    form = DraftForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            process = services.publish_draft(
                request.user,
                act_type=data["act_type"],
                title_kk=data["title_kk"],
                title_ru=data["title_ru"],
                title_en=data["title_en"],
                text_kk=data["text_kk"],
                text_ru=data["text_ru"],
                text_en=data["text_en"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                source_format=data["source_format"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The draft is published for discussion."))
            return redirect("legalacts:process", process.pk)
    rule = rules.current_rule()
    return render(
        request,
        "legalacts/new.html",
        {"form": form, "rule": rule, "today": clock.today()},
        status=400 if request.method == "POST" else 200,
    )


@require_safe
def diff_page(request, pk):
    process = _process_or_404(pk)
    versions = list(process.versions.all())
    numbers = [v.number for v in versions]
    try:
        old_n = int(request.GET.get("from", numbers[-2] if len(numbers) > 1 else numbers[0]))
        new_n = int(request.GET.get("to", numbers[-1]))
        old = next(v for v in versions if v.number == old_n)
        new = next(v for v in versions if v.number == new_n)
    except (ValueError, StopIteration):
        return render(request, "legalacts/diff.html", {"process": process, "versions": versions, "error": True}, status=400)
    return render(
        request,
        "legalacts/diff.html",
        {"process": process, "versions": versions, "old": old, "new": new, "rows": diff.compare(old, new, _lang())},
    )


REPORT_FIELDS = ["comment", "provision", "version", "written_on", "author", "text", "supports", "opposes", "decision", "reason"]


def _report_records(process):
    return [
        {
            "comment": c.pk,
            "provision": c.provision_eid,
            "version": c.version.number,
            "written_on": c.created_at.date().isoformat(),
            "author": c.author.pseudonym,
            "text": c.public_text if c.status == CommentStatus.PUBLISHED else "",
            "supports": c.supports,
            "opposes": c.opposes,
            "decision": c.decision,
            "reason": c.reason,
        }
        for c in selectors.report_rows(process)
    ]


def _report_visible(process) -> bool:
    return process.stage in (Stage.REPORT_PUBLISHED, Stage.ADOPTED) or (
        process.stage == Stage.WITHDRAWN and process.report_published_at is not None
    )


@require_safe
def report_page(request, pk):
    process = _process_or_404(pk)
    return render(
        request,
        "legalacts/report.html",
        {
            "process": process,
            "published": _report_visible(process),
            "rows": list(selectors.report_rows(process)),
            "counts": selectors.comment_counts(process),
        },
    )


@require_safe
def report_download(request, pk, fmt):
    process = _process_or_404(pk)
    if not _report_visible(process):
        raise Http404
    records = _report_records(process)
    if fmt == "json":
        return JsonResponse(
            {
                "process": process.pk,
                "report_published_at": process.report_published_at.isoformat(),
                "summary": process.report_summary,
                "comments": records,
            },
            json_dumps_params={"ensure_ascii": False},
        )
    out = io.StringIO()
    writer = csv_safe.writer(out)
    writer.writerow(REPORT_FIELDS)
    for record in records:
        writer.writerow([record.get(k) for k in REPORT_FIELDS])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="report-{process.pk}.csv"'
    return response


@login_required
def moderation_queue(request):
    if not permissions.is_moderator(request.user):
        raise PermissionDenied
    return _moderation_page(request)


def _moderation_page(request, *, kept=None, status=200):
    """The queue; `kept` holds the bound form of a comment whose public copy was typed (back from the confirmation,
    or refused for its length), so that what the moderator wrote is in its box again."""
    from ashyq.moderation.redaction import find_personal_data

    kept = kept or {}
    items = list(selectors.moderation_queue()[:100])
    for item in items:
        item.proposals = [item.text[s.start : s.end] for s in find_personal_data(item.text)]
        item.form = kept.get(item.pk) or ModerationForm(initial={"public_text": item.public_text})
    return render(request, "legalacts/moderation.html", {"items": items}, status=status)


@require_safe
def acts(request):
    page = Paginator(selectors.acts(), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "legalacts/acts.html", {"page": page})


@require_safe
def act_page(request, code):
    act = get_object_or_404(selectors.acts(), code=code)
    versions = list(act.versions.all())
    number = request.GET.get("version")
    version = versions[-1] if versions else None
    if number and number.isdigit():
        version = next((v for v in versions if v.number == int(number)), None)
        if version is None:
            raise Http404
    provisions = list(version.provisions.all()) if version else []
    return render(request, "legalacts/act.html", {"act": act, "versions": versions, "version": version, "provisions": provisions})


@require_safe
def agreements(request):
    return render(request, "legalacts/agreements.html", {"agreements": list(selectors.agreements())})


@require_safe
def body_feed(request, slug):
    """Atom feed of the processes a body put to discussion, newest first."""
    from .feeds import body_feed as build

    body = get_object_or_404(Body, slug=slug)
    return build(request, body)
