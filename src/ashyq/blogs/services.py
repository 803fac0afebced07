"""Every change to a blog or a web conference happens here.

Each service runs in one transaction that checks the actor's permission (the head of the body, or an official the
head delegated the blog to: permissions.py), checks the input, makes the change and appends the BlogEvent that
records it; what a delegate does is recorded with the delegation they acted under, and a post they write is
published in the head's name and says so. Only the head delegates and withdraws (`delegate_blog`,
`withdraw_delegation`). Bad input raises ValidationError with
field messages (400) and saves nothing; a missing permission raises PermissionDenied (403).

A question to a post or a conference is an appeal: `ask_question` registers it through dialogue's `submit_appeal` on
the blog or web-conference channel, in the same transaction as the link (Question), so it has the statutory term,
the body's inbox, moderation and the hash-chained record of every other appeal, and either both exist or neither.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ashyq.core import characters, clock, pagecache
from ashyq.dialogue import services as dialogue_services
from ashyq.dialogue.models import AppealType, Channel

from . import permissions, video
from .models import LANGUAGES, BlogEvent, Conference, Delegation, EventKind, Post, PostStatus, Question

MAX_TITLE_LENGTH = 200
MAX_POST_LENGTH = 20_000
MAX_DESCRIPTION_LENGTH = 5_000
MIN_DURATION, MAX_DURATION = 15, 480


def _require(condition: bool, message: str):
    if not condition:
        raise PermissionDenied(message)


# Steps that change nothing the public reads: the cached pages stay.
UNSEEN_KINDS = frozenset({EventKind.QUESTION_ASKED, EventKind.DELEGATED, EventKind.DELEGATION_WITHDRAWN})


def _event(kind, actor, body, *, post=None, conference=None, delegation=None, **data) -> BlogEvent:
    if kind not in UNSEEN_KINDS:
        # The body's public page lists the latest posts and conferences: only the pages showing blogs are renewed,
        # not the whole public record's.
        pagecache.bump(pagecache.BLOGS)
    return BlogEvent.objects.create(
        kind=kind,
        at=clock.now(),
        actor=actor,
        body=body,
        post=post,
        conference=conference,
        delegation=delegation,
        data=data,
    )


def _writer(actor, body_id, message: str) -> Delegation | None:
    """Inside the step's transaction: the actor writes this body's blog, as its head (None) or under the delegation
    returned, locked so that a withdrawal at the same moment waits for the step or stops it."""
    _require(permissions.manages(actor, body_id), message)
    if permissions.is_head(actor):
        return None
    delegation = Delegation.objects.select_for_update().filter(official=actor, body_id=body_id, withdrawn_at__isnull=True).first()
    _require(delegation is not None, message)
    return delegation


def _clean(value, field, limit, errors) -> str:
    value = (value or "").strip()
    problem = characters.problem(value)
    if problem:
        errors[field] = problem
    elif len(value) > limit:
        errors[field] = _("At most %(limit)d characters (you wrote %(n)d).") % {"limit": limit, "n": len(value)}
    return value


def _texts(values: dict, fields: dict[str, int], *, pair: tuple[str, str] | None, errors: dict) -> dict:
    """The translated fields, stripped and checked: every language in which something is written needs both of `pair`
    (a title and its text), and at least one language must be written."""
    cleaned = {}
    for name, limit in fields.items():
        for lang in LANGUAGES:
            key = f"{name}_{lang}"
            cleaned[key] = _clean(values.get(key), key, limit, errors)
    if pair:
        first, second = pair
        written = [lang for lang in LANGUAGES if cleaned[f"{first}_{lang}"] or cleaned[f"{second}_{lang}"]]
        for lang in written:
            for name in pair:
                if not cleaned[f"{name}_{lang}"] and f"{name}_{lang}" not in errors:
                    errors[f"{name}_{lang}"] = _("Write this too, or leave this language empty.")
        if not written:
            errors[f"{first}_kk"] = _("Write the title and the text in at least one language: Kazakh, Russian or English.")
    return cleaned


def _apply(item, fields: dict) -> list[str]:
    """Set the fields that differ on a locked post or conference and save it; the names changed, for the event."""
    changed = [name for name, value in fields.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, fields[name])
    if changed:
        item.updated_at = clock.now()
        item.save()
    return changed


# --- posts ------------------------------------------------------------------------------------------------


def _post_fields(values: dict) -> dict:
    errors = {}
    cleaned = _texts(values, {"title": MAX_TITLE_LENGTH, "text": MAX_POST_LENGTH}, pair=("title", "text"), errors=errors)
    if errors:
        raise ValidationError(errors)
    cleaned["accepts_questions"] = bool(values.get("accepts_questions", True))
    return cleaned


def write_post(actor, *, publish: bool = False, **values) -> Post:
    """The head writes a post for their body's blog: a draft, or published at once. `values`: title_kk, text_kk,
    title_ru, ..., accepts_questions."""
    message = _("Only the head of a body, or an official the head delegated it to, writes its blog.")
    _require(permissions.writes_blog(actor), message)
    fields = _post_fields(values)
    with transaction.atomic():
        delegation = _writer(actor, actor.body_id, message)
        now = clock.now()
        post = Post.objects.create(
            body_id=actor.body_id,
            author=actor,
            delegation=delegation,
            created_at=now,
            updated_at=now,
            status=PostStatus.PUBLISHED if publish else PostStatus.DRAFT,
            published_at=now if publish else None,
            **fields,
        )
        _event(EventKind.POST_CREATED, actor, post.body, post=post, delegation=delegation)
        if publish:
            _event(EventKind.POST_PUBLISHED, actor, post.body, post=post, delegation=delegation)
    return post


def _locked_post(actor, post: Post) -> tuple[Post, Delegation | None]:
    post = Post.objects.select_for_update().get(pk=post.pk)
    delegation = _writer(
        actor, post.body_id, _("Only the head of %(body)s, or their delegate, edits its blog.") % {"body": post.body}
    )
    return post, delegation


def edit_post(actor, post: Post, **values) -> Post:
    """Change a post's texts (a published post stays published; the page says when it was edited)."""
    fields = _post_fields(values)
    with transaction.atomic():
        post, delegation = _locked_post(actor, post)
        changed = _apply(post, fields)
        if changed:
            _event(EventKind.POST_EDITED, actor, post.body, post=post, delegation=delegation, fields=changed)
    return post


def set_post_published(actor, post: Post, published: bool) -> Post:
    """Publish a draft, or take a published post back to draft (its questions stay appeals, answered as usual)."""
    with transaction.atomic():
        post, delegation = _locked_post(actor, post)
        status = PostStatus.PUBLISHED if published else PostStatus.DRAFT
        if post.status != status:
            now = clock.now()
            post.status, post.updated_at = status, now
            if published and post.published_at is None:
                post.published_at = now
            post.save(update_fields=["status", "updated_at", "published_at"])
            kind = EventKind.POST_PUBLISHED if published else EventKind.POST_UNPUBLISHED
            _event(kind, actor, post.body, post=post, delegation=delegation)
    return post


# --- conferences ------------------------------------------------------------------------------------------


def _when(value, field, errors):
    if not isinstance(value, dt.datetime):
        errors[field] = _("Enter a date and time.")
        return None
    return value


def _conference_fields(values: dict, *, current: Conference | None = None) -> dict:
    errors = {}
    cleaned = _texts(values, {"title": MAX_TITLE_LENGTH}, pair=None, errors=errors)
    cleaned.update(_texts(values, {"description": MAX_DESCRIPTION_LENGTH}, pair=None, errors=errors))
    if not any(cleaned[f"title_{lang}"] for lang in LANGUAGES) and "title_kk" not in errors:
        errors["title_kk"] = _("Give the title in at least one language: Kazakh, Russian or English.")
    starts = _when(values.get("starts_at"), "starts_at", errors)
    opens = _when(values.get("questions_open_at"), "questions_open_at", errors)
    closes = _when(values.get("questions_close_at"), "questions_close_at", errors)
    now = clock.now()
    if starts and (current is None or starts != current.starts_at) and starts <= now:
        errors["starts_at"] = _("The conference must start in the future.")
    if opens and closes and closes <= opens:
        errors["questions_close_at"] = _("Questions must close after they open.")
    elif closes and starts and closes > starts:
        errors["questions_close_at"] = _("Questions must close no later than the conference starts.")
    try:
        duration = int(values.get("duration_minutes") or 0)
    except (TypeError, ValueError):
        duration = 0
    if not MIN_DURATION <= duration <= MAX_DURATION:
        errors["duration_minutes"] = _("From %(min)d to %(max)d minutes.") % {"min": MIN_DURATION, "max": MAX_DURATION}
    for field, required in (("video_url", True), ("recording_url", False)):
        try:
            cleaned[field] = video.check(values.get(field), field, required=required)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    cleaned.update(starts_at=starts, questions_open_at=opens, questions_close_at=closes, duration_minutes=duration)
    return cleaned


def plan_conference(actor, *, announce: bool = False, **values) -> Conference:
    """The head plans a web conference of their body: titles and descriptions (kk/ru/en), when it starts and how
    long it lasts, the window for questions before it, the https link to its video. Announced, the public sees it."""
    message = _("Only the head of a body, or an official the head delegated it to, runs its web conferences.")
    _require(permissions.writes_blog(actor), message)
    fields = _conference_fields(values)
    with transaction.atomic():
        delegation = _writer(actor, actor.body_id, message)
        now = clock.now()
        conference = Conference.objects.create(
            body_id=actor.body_id,
            created_by=actor,
            created_at=now,
            updated_at=now,
            announced_at=now if announce else None,
            **fields,
        )
        _event(EventKind.CONFERENCE_CREATED, actor, conference.body, conference=conference, delegation=delegation)
        if announce:
            _event(EventKind.CONFERENCE_ANNOUNCED, actor, conference.body, conference=conference, delegation=delegation)
    return conference


def _locked_conference(actor, conference: Conference) -> tuple[Conference, Delegation | None]:
    conference = Conference.objects.select_for_update().get(pk=conference.pk)
    message = _("Only the head of %(body)s, or their delegate, runs its web conferences.") % {"body": conference.body}
    return conference, _writer(actor, conference.body_id, message)


def edit_conference(actor, conference: Conference, **values) -> Conference:
    """Change a conference: its texts, times and links (after it, the link to its recording)."""
    with transaction.atomic():
        conference, delegation = _locked_conference(actor, conference)
        if conference.cancelled_at is not None:
            raise ValidationError(_("This conference was cancelled; plan a new one instead."))
        fields = _conference_fields(values, current=conference)
        changed = _apply(conference, fields)
        if changed:
            _event(
                EventKind.CONFERENCE_EDITED, actor, conference.body, conference=conference, delegation=delegation, fields=changed
            )
    return conference


def announce_conference(actor, conference: Conference) -> Conference:
    with transaction.atomic():
        conference, delegation = _locked_conference(actor, conference)
        if conference.announced_at is None and conference.cancelled_at is None:
            if conference.starts_at <= clock.now():
                raise ValidationError(_("This conference's time has passed; change its date before announcing it."))
            conference.announced_at = conference.updated_at = clock.now()
            conference.save(update_fields=["announced_at", "updated_at"])
            _event(EventKind.CONFERENCE_ANNOUNCED, actor, conference.body, conference=conference, delegation=delegation)
    return conference


def cancel_conference(actor, conference: Conference) -> Conference:
    """Cancel a conference. Questions already asked stay appeals and are answered within their term."""
    with transaction.atomic():
        conference, delegation = _locked_conference(actor, conference)
        if conference.cancelled_at is None:
            conference.cancelled_at = conference.updated_at = clock.now()
            conference.save(update_fields=["cancelled_at", "updated_at"])
            _event(EventKind.CONFERENCE_CANCELLED, actor, conference.body, conference=conference, delegation=delegation)
    return conference


# --- delegation -------------------------------------------------------------------------------------------


def delegate_blog(head, official) -> Delegation:
    """The head lets an official of their own body write the blog and run the conferences in the head's name. Asked
    again for an official who already has it, the delegation in force is returned and nothing is recorded twice."""
    _require(permissions.delegates(head), _("Only the head of a body delegates its blog."))
    with transaction.atomic():
        official = get_user_model().objects.select_for_update().get(pk=official.pk)
        _require(
            permissions.may_be_delegated(head, official),
            _("Only an active official of %(body)s can write its blog in your name.") % {"body": head.body},
        )
        current = Delegation.objects.filter(body_id=head.body_id, official=official, withdrawn_at__isnull=True).first()
        if current is not None:
            return current
        delegation = Delegation.objects.create(body_id=head.body_id, official=official, granted_by=head, granted_at=clock.now())
        _event(EventKind.DELEGATED, head, delegation.body, delegation=delegation, official=official.pk)
    return delegation


def withdraw_delegation(head, delegation: Delegation) -> Delegation:
    """The head withdraws a delegation: from now on that official writes nothing of the blog. Their posts stay,
    still saying they were published on the head's behalf; the delegation stays on the record, withdrawn."""
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().select_related("body").get(pk=delegation.pk)
        _require(
            permissions.delegates(head) and head.body_id == delegation.body_id,
            _("Only the head of %(body)s withdraws its delegations.") % {"body": delegation.body},
        )
        if delegation.withdrawn_at is None:
            delegation.withdrawn_at, delegation.withdrawn_by = clock.now(), head
            delegation.save(update_fields=["withdrawn_at", "withdrawn_by"])
            _event(EventKind.DELEGATION_WITHDRAWN, head, delegation.body, delegation=delegation, official=delegation.official_id)
    return delegation


# --- questions --------------------------------------------------------------------------------------------


def _local(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def ask_question(applicant, target: Post | Conference, *, subject, text, region, is_public=True, show_name=False):
    """A reader asks the head a question under a published post or in a conference's window for questions. It is
    registered as an appeal (type request) to the post's or conference's body on the blog or web-conference channel,
    and linked here; outside the window, or under a draft, nothing is saved and the reason is said."""
    is_post = isinstance(target, Post)
    model = Post if is_post else Conference
    with transaction.atomic():
        target = model.objects.select_related("body").select_for_update(of=("self",)).get(pk=target.pk)
        now = clock.now()
        if is_post:
            if not target.is_published:
                raise ValidationError(_("This post is not published; questions are not taken."))
            if not target.accepts_questions:
                raise ValidationError(_("The head does not take questions under this post."))
        elif not target.questions_open(now):
            if target.cancelled_at is not None or target.announced_at is None:
                raise ValidationError(_("This conference is not taking questions."))
            raise ValidationError(
                _("Questions to this conference are taken from %(opens)s until %(closes)s.")
                % {"opens": _local(target.questions_open_at), "closes": _local(target.questions_close_at)}
            )
        appeal = dialogue_services.submit_appeal(
            applicant,
            body=target.body,
            type=AppealType.REQUEST,
            subject=subject,
            text=text,
            region=region,
            is_public=is_public,
            show_name=show_name,
            channel=Channel.BLOG if is_post else Channel.WEB_CONFERENCE,
        )
        question = Question.objects.create(
            appeal=appeal, post=target if is_post else None, conference=None if is_post else target, asked_at=now
        )
        _event(
            EventKind.QUESTION_ASKED,
            applicant,
            target.body,
            post=question.post,
            conference=question.conference,
            question=question.pk,
        )
    return appeal
