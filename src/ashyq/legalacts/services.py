"""Every change to a discussion or the registers happens here.

Each service runs in one transaction that locks the process row, checks the actor's permission and
the rule, makes the change and appends the ProcessEvent that records it. A broken rule raises
ValidationError (bad input, 400) or Conflict (wrong phase, 409) and changes nothing; a missing
permission raises PermissionDenied (403).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from ashyq.core import clock, pagecache
from ashyq.dialogue.errors import Conflict
from ashyq.moderation.redaction import redact

from . import permissions, rules, signals, structure
from .models import (
    ActVersion,
    AdoptedAct,
    Comment,
    CommentStatus,
    Decision,
    DraftVersion,
    Phase,
    Process,
    ProcessEvent,
    Provision,
    Reply,
    Stage,
    Stance,
)

MAX_TITLE_LENGTH = 500
MAX_TEXT_LENGTH = 500_000
MAX_COMMENT_LENGTH = 5_000
MAX_QUOTE_LENGTH = 1_000
MAX_REASON_LENGTH = 5_000
# Comments the report must answer: those the public could read. Refused ones never reached the draft.
ANSWERABLE = (CommentStatus.PUBLISHED, CommentStatus.HIDDEN)


def _require(condition: bool, message: str):
    if not condition:
        raise PermissionDenied(message)


def _text(value, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(limit)d characters (you wrote %(n)d).") % {"limit": limit, "n": len(value)}})
    return value


def _event(process: Process, kind: str, actor=None, comment=None, **data) -> ProcessEvent:
    event = ProcessEvent.objects.create(process=process, kind=kind, at=clock.now(), actor=actor, comment=comment, data=data)
    # The body page's panel lists the body's drafts with their stage and dates: it is rendered afresh (core/pagecache.py).
    pagecache.bump(pagecache.LEGAL)
    if kind in signals.COUNTED_KINDS:
        signals.process_step.send(sender=Process, process=process)
    return event


def _locked(process: Process) -> Process:
    return Process.objects.select_for_update().get(pk=process.pk)


def _store_version(process, number, texts, source_format, note, actor) -> DraftVersion:
    rows = structure.merge(texts, require_same_structure=True)
    version = DraftVersion.objects.create(
        process=process,
        number=number,
        source_format=source_format,
        note=note,
        created_at=clock.now(),
        created_by=actor,
        **{f"text_{lang}": texts.get(lang, "") for lang in ("kk", "ru", "en")},
    )
    Provision.objects.bulk_create(Provision(draft_version=version, order=i, **row) for i, row in enumerate(rows))
    return version


def _texts(text_kk, text_ru, text_en) -> dict:
    return {
        "kk": _text(text_kk, "text_kk", MAX_TEXT_LENGTH),
        "ru": _text(text_ru, "text_ru", MAX_TEXT_LENGTH),
        "en": _text(text_en, "text_en", MAX_TEXT_LENGTH, required=False),
    }


def publish_draft(
    actor,
    *,
    act_type,
    title_kk,
    title_ru,
    title_en="",
    text_kk,
    text_ru,
    text_en="",
    opens_on: dt.date,
    closes_on: dt.date,
    source_format="markdown",
    synthetic=False,
) -> Process:
    """An official of a body puts a draft to public discussion; its window must meet the rule in effect."""
    _require(permissions.may_publish_drafts(actor), _("Only a body's officials publish drafts."))
    from .models import ActType

    if act_type not in ActType.values:
        raise ValidationError({"act_type": _("Choose a type of act.")})
    titles = {
        "title_kk": _text(title_kk, "title_kk", MAX_TITLE_LENGTH),
        "title_ru": _text(title_ru, "title_ru", MAX_TITLE_LENGTH),
        "title_en": _text(title_en, "title_en", MAX_TITLE_LENGTH, required=False),
    }
    texts = _texts(text_kk, text_ru, text_en)
    today = clock.today()
    if opens_on < today:
        raise ValidationError({"opens_on": _("A discussion cannot open in the past.")})
    rule = rules.current_rule(opens_on)
    earliest = rules.earliest_close(rule, act_type, opens_on)
    if closes_on < earliest:
        raise ValidationError(
            {
                "closes_on": _("Under %(rule)s the discussion may close no earlier than %(date)s.")
                % {"rule": rule.title, "date": earliest.isoformat()}
            }
        )
    with transaction.atomic():
        process = Process.objects.create(
            body_id=actor.body_id,
            act_type=act_type,
            rule=rule,
            opens_on=opens_on,
            closes_on=closes_on,
            report_due_on=rules.report_due(rule, closes_on),
            published_at=clock.now(),
            published_by=actor,
            synthetic=synthetic,
            **titles,
        )
        _store_version(process, 1, texts, source_format, "", actor)
        _event(process, "published", actor, opens_on=opens_on.isoformat(), closes_on=closes_on.isoformat(), rule=rule.version)
    return process


def new_version(actor, process: Process, *, text_kk, text_ru, text_en="", note="", source_format="markdown") -> DraftVersion:
    """The developer revises the draft; earlier versions and the comments on them stay as they were."""
    texts = _texts(text_kk, text_ru, text_en)
    note = _text(note, "note", MAX_REASON_LENGTH)
    with transaction.atomic():
        process = _locked(process)
        _require(permissions.is_developer(actor, process), _("Only the developing body revises its draft."))
        if process.stage != Stage.PUBLISHED:
            raise Conflict(_("The report is published; the draft can no longer change."))
        number = (process.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = _store_version(process, number, texts, source_format, note, actor)
        _event(process, "new_version", actor, number=number)
    return version


def extend_window(actor, process: Process, closes_on: dt.date) -> Process:
    """The window may be lengthened while it is still open, never shortened."""
    with transaction.atomic():
        process = _locked(process)
        _require(permissions.is_developer(actor, process), _("Only the developing body changes its window."))
        if rules.phase(process) not in (Phase.ANNOUNCED, Phase.OPEN):
            raise Conflict(_("The discussion has closed; its window can no longer change."))
        if closes_on <= process.closes_on:
            raise ValidationError(
                {"closes_on": _("The new closing day must be later than %(date)s.") % {"date": process.closes_on.isoformat()}}
            )
        before = process.closes_on
        process.closes_on = closes_on
        process.report_due_on = rules.report_due(process.rule, closes_on)
        process.save(update_fields=["closes_on", "report_due_on"])
        _event(process, "window_extended", actor, before=before.isoformat(), closes_on=closes_on.isoformat())
    return process


def comment(actor, process: Process, *, text, provision_eid="", quote="") -> Comment:
    """A signed-in person comments on a provision of the current version while the window is open."""
    _require(actor.is_authenticated, _("Sign in to comment."))
    text = _text(text, "text", MAX_COMMENT_LENGTH)
    quote = _text(quote, "quote", MAX_QUOTE_LENGTH, required=False)
    with transaction.atomic():
        process = _locked(process)
        if rules.phase(process) != Phase.OPEN:
            raise Conflict(_("Comments are accepted only while the discussion is open."))
        version = process.versions.order_by("-number").first()
        if provision_eid and not version.provisions.filter(eid=provision_eid).exists():
            raise ValidationError({"provision": _("There is no such point in the current version.")})
        if quote:
            provision_text = (
                " ".join(version.provisions.filter(eid=provision_eid).values_list("text_kk", "text_ru", "text_en").first() or ())
                if provision_eid
                else version.text_kk + version.text_ru + version.text_en
            )
            if " ".join(quote.split()) not in " ".join(provision_text.split()):
                raise ValidationError({"quote": _("The quoted passage is not in the text of this point.")})
        item = Comment.objects.create(
            process=process,
            version=version,
            provision_eid=provision_eid,
            quote=quote,
            author=actor,
            text=text,
            public_text=redact(text),
            created_at=clock.now(),
        )
        _event(process, "commented", actor, item, provision=provision_eid, version=version.number)
    return item


def _locked_comment(item: Comment) -> tuple[Process, Comment]:
    process = _locked(item.process)
    return process, Comment.objects.select_for_update().get(pk=item.pk)


def moderate(actor, item: Comment, action: str, *, public_text: str | None = None) -> Comment:
    """A moderator publishes (with the redacted copy they checked), refuses, hides or restores a comment."""
    _require(permissions.is_moderator(actor), _("Only moderators moderate comments."))
    allowed = {
        "publish": (CommentStatus.PENDING,),
        "refuse": (CommentStatus.PENDING,),
        "hide": (CommentStatus.PUBLISHED,),
        "restore": (CommentStatus.HIDDEN,),
    }
    if action not in allowed:
        raise ValidationError({"action": _("Unknown action.")})
    with transaction.atomic():
        process, item = _locked_comment(item)
        if item.status not in allowed[action]:
            raise Conflict(_("This comment has already been moderated."))
        if process.stage != Stage.PUBLISHED and action in ("refuse", "hide"):
            raise Conflict(_("The report is published; its comments can no longer be removed."))
        if action == "publish" and public_text is not None:
            item.public_text = _text(public_text, "public_text", MAX_COMMENT_LENGTH)
        item.status = {
            "publish": CommentStatus.PUBLISHED,
            "refuse": CommentStatus.REFUSED,
            "hide": CommentStatus.HIDDEN,
            "restore": CommentStatus.PUBLISHED,
        }[action]
        item.moderated_at = clock.now()
        item.save(update_fields=["status", "public_text", "moderated_at"])
        _event(process, f"comment_{action}", actor, item)
    return item


def report_abuse(actor, item: Comment, reason: str) -> Comment:
    """Anyone signed in may report a published comment; moderators see reported comments first."""
    _require(actor.is_authenticated, _("Sign in to report a comment."))
    reason = _text(reason, "reason", MAX_REASON_LENGTH)
    with transaction.atomic():
        process, item = _locked_comment(item)
        if item.status != CommentStatus.PUBLISHED:
            raise Conflict(_("Only published comments can be reported."))
        if process.events.filter(kind="abuse_reported", comment=item, actor=actor).exists():
            raise Conflict(_("You have already reported this comment."))
        item.abuse_reports += 1
        item.save(update_fields=["abuse_reports"])
        _event(process, "abuse_reported", actor, item, reason=reason)
    return item


def set_stance(actor, item: Comment, support: bool | None) -> Comment:
    """Support (True), oppose (False) or take back (None) one's stance on a published comment."""
    _require(actor.is_authenticated, _("Sign in to support or oppose a comment."))
    with transaction.atomic():
        process, item = _locked_comment(item)
        if item.status != CommentStatus.PUBLISHED:
            raise Conflict(_("Only published comments can be supported or opposed."))
        if rules.phase(process) != Phase.OPEN:
            raise Conflict(_("Support and opposition are counted only while the discussion is open."))
        _require(item.author_id != actor.pk, _("You cannot support or oppose your own comment."))
        Stance.objects.filter(comment=item, user=actor).delete()
        if support is not None:
            Stance.objects.create(comment=item, user=actor, support=support)
        counts = Stance.objects.filter(comment=item).aggregate(
            s=Count("pk", filter=Q(support=True)), o=Count("pk", filter=Q(support=False))
        )
        item.supports, item.opposes = counts["s"], counts["o"]
        item.save(update_fields=["supports", "opposes"])
        _event(process, "stance", actor, item, support=support)
    return item


def reply(actor, item: Comment, text: str) -> Reply:
    """The developer answers a comment in the thread (the reasoned decision comes separately, in the report)."""
    text = _text(text, "text", MAX_COMMENT_LENGTH)
    with transaction.atomic():
        process, item = _locked_comment(item)
        _require(permissions.is_developer(actor, process), _("Only the developing body replies to comments."))
        if item.status == CommentStatus.REFUSED:
            raise Conflict(_("This comment was refused by moderation."))
        answer = Reply.objects.create(comment=item, author=actor, text=text, created_at=clock.now())
        _event(process, "replied", actor, item)
    return answer


def decide(actor, item: Comment, decision: str, reason: str) -> Comment:
    """The developer's decision on one comment, with its reason; it may change until the report is published."""
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    reason = _text(reason, "reason", MAX_REASON_LENGTH)
    with transaction.atomic():
        process, item = _locked_comment(item)
        _require(permissions.is_developer(actor, process), _("Only the developing body decides on comments."))
        if process.stage != Stage.PUBLISHED:
            raise Conflict(_("The report is published; its decisions are final."))
        if item.status not in ANSWERABLE:
            raise Conflict(_("Only comments that passed moderation are decided on."))
        item.decision, item.reason, item.decided_at = decision, reason, clock.now()
        item.save(update_fields=["decision", "reason", "decided_at"])
        _event(process, "decided", actor, item, decision=decision, reason=reason)
    return item


def report_refusal(process: Process) -> str:
    """Why the report cannot be published now, or "" if it can. The page asks to confirm the report only when it
    can be published: a refusal is shown on the form at once, not after a confirmation."""
    if rules.phase(process) != Phase.CLOSED:
        return _("The report is published after the discussion closes, once.")
    comments = process.comments.all()
    pending = comments.filter(status=CommentStatus.PENDING).count()
    if pending:
        return _("%(n)d comments still await moderation.") % {"n": pending}
    unanswered = comments.filter(status__in=ANSWERABLE).filter(Q(decision="") | Q(reason="")).count()
    if unanswered:
        return _("%(n)d comments have no decision with a reason yet.") % {"n": unanswered}
    return ""


def publish_report(actor, process: Process, summary: str = "") -> Process:
    """The developer's report: only after the window closed, and only when every comment has a reasoned decision."""
    summary = _text(summary, "summary", MAX_REASON_LENGTH, required=False)
    with transaction.atomic():
        process = _locked(process)
        _require(permissions.is_developer(actor, process), _("Only the developing body publishes its report."))
        refusal = report_refusal(process)
        if refusal:
            raise Conflict(refusal)
        process.stage = Stage.REPORT_PUBLISHED
        process.report_published_at = clock.now()
        process.report_summary = summary
        process.save(update_fields=["stage", "report_published_at", "report_summary"])
        late = clock.today() > process.report_due_on
        _event(process, "report_published", actor, late=late)
    return process


def adopt(
    actor,
    process: Process,
    *,
    number: str,
    adopted_on: dt.date,
    registration_number: str = "",
    registered_on: dt.date | None = None,
) -> AdoptedAct:
    """The act is adopted: only after the report; the last version's text enters the register."""
    number = _text(number, "number", 60)
    registration_number = _text(registration_number, "registration_number", 60, required=False)
    if adopted_on > clock.today():
        raise ValidationError({"adopted_on": _("The date of adoption cannot be in the future.")})
    with transaction.atomic():
        process = _locked(process)
        _require(permissions.is_developer(actor, process), _("Only the developing body records the adoption."))
        if process.stage != Stage.REPORT_PUBLISHED:
            raise Conflict(_("An act is adopted only after the developer's report is published."))
        if adopted_on < process.closes_on:
            raise ValidationError({"adopted_on": _("The act cannot be adopted before the discussion closed.")})
        process.stage = Stage.ADOPTED
        process.ended_at = clock.now()
        process.ending_note = number
        process.save(update_fields=["stage", "ended_at", "ending_note"])
        body = process.body
        act = AdoptedAct.objects.create(
            code=f"draft-{process.pk}",
            act_type=process.act_type,
            title_kk=process.title_kk,
            title_ru=process.title_ru,
            title_en=process.title_en,
            number=number,
            adopted_on=adopted_on,
            body=body,
            issuer_kk=body.name_kk,
            issuer_ru=body.name_ru,
            issuer_en=body.name_en,
            registration_number=registration_number,
            registered_on=registered_on,
            process=process,
        )
        last = process.versions.order_by("-number").first()
        version = ActVersion.objects.create(
            act=act, number=1, version_date=adopted_on, text_kk=last.text_kk, text_ru=last.text_ru, text_en=last.text_en
        )
        Provision.objects.bulk_create(
            Provision(
                act_version=version,
                **{
                    f: getattr(p, f)
                    for f in (
                        "eid",
                        "kind",
                        "num",
                        "depth",
                        "order",
                        "heading_kk",
                        "heading_ru",
                        "heading_en",
                        "text_kk",
                        "text_ru",
                        "text_en",
                    )
                },
            )
            for p in last.provisions.all()
        )
        _event(process, "adopted", actor, number=number, adopted_on=adopted_on.isoformat(), act=act.code)
    return act


def withdraw(actor, process: Process, reason: str) -> Process:
    reason = _text(reason, "reason", MAX_REASON_LENGTH)
    with transaction.atomic():
        process = _locked(process)
        _require(permissions.is_developer(actor, process), _("Only the developing body withdraws its draft."))
        if process.stage not in (Stage.PUBLISHED, Stage.REPORT_PUBLISHED):
            raise Conflict(_("This discussion has already ended."))
        process.stage = Stage.WITHDRAWN
        process.ended_at = clock.now()
        process.ending_note = reason
        process.save(update_fields=["stage", "ended_at", "ending_note"])
        _event(process, "withdrawn", actor, reason=reason)
    return process
