"""Every change to an appeal happens here.

Each service runs in one transaction that locks the appeal, checks the actor's permission and the
statutory rule, changes the appeal and appends the event that records the change. A rule broken
raises ValidationError (bad input, 400) or Conflict (wrong state, 409) and changes nothing; a
permission missing raises PermissionDenied (403). Applicants are emailed after the commit.
"""

import datetime as dt
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from ashyq.bodies.models import Body
from ashyq.core import calendar, characters, clock, eds, identity
from ashyq.core.models import Region
from ashyq.core.tasks import enqueued_together

from . import deadlines, integrity, notifications, permissions, selectors, staff_notifications, stays
from .attachments import inspect_uploads
from .errors import Conflict
from .models import (
    OPEN_STATUSES,
    OUTCOMES_NEEDING_GROUND,
    AnonymousGround,
    AnonymousReport,
    Answer,
    Appeal,
    AppealEvent,
    AppealType,
    Attachment,
    Channel,
    EventKind,
    Feedback,
    Outcome,
    Resolution,
    Signature,
    SignatureMethod,
    SignedText,
    SignerDetails,
    StaffNotificationPreference,
    Status,
)

MAX_SUBJECT_LENGTH = 200
MAX_TEXT_LENGTH = 10_000
MAX_REASON_LENGTH = 5_000
MAX_IDEMPOTENCY_KEY_LENGTH = Appeal._meta.get_field("idempotency_key").max_length


def _require(condition: bool, message: str):
    if not condition:
        raise PermissionDenied(message)


def _text(value, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    characters.validate(value, field)  # the pages and APIs refuse these earlier (core/input_guard.py); other callers here
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(limit)d characters (you wrote %(n)d).") % {"limit": limit, "n": len(value)}})
    return value


def _append_event(appeal: Appeal, kind: str, actor=None, *, at=None, first=False, **fields) -> AppealEvent:
    """Append the next event to the appeal's chain. Callers hold the appeal's row lock. `at`: the moment of the
    step when the step's own row carries it too (an answer's time), so the two never differ. `first`: the appeal
    was created in this transaction and has no event yet, so the chain starts at the genesis without a query."""
    if first:
        last = {"seq": 0, "hash": integrity.GENESIS}
    else:
        last = appeal.events.order_by("-seq").values("seq", "hash").first() or {"seq": 0, "hash": integrity.GENESIS}
    event = AppealEvent(
        appeal=appeal, seq=last["seq"] + 1, kind=kind, at=at or clock.now(), actor=actor, prev_hash=last["hash"], **fields
    )
    event.hash = integrity.event_digest(event, event.prev_hash)
    event.save(force_insert=True)
    return event


def _locked(appeal: Appeal, *, staff=None) -> Appeal:
    """Re-read the appeal under a row lock so concurrent steps on it run one after the other.

    Only the appeal's row is locked and read under the lock: with a join in the locking query,
    PostgreSQL re-checks a row changed meanwhile against the joined rows it read before the wait,
    and an appeal redirected by the step that held the lock would vanish (DoesNotExist, a 500).
    With `staff`, an appeal that left that official's body while they were acting on it (a
    concurrent redirect) is a Conflict, as for any other step that lost the race, not a 403.
    """
    Appeal.objects.select_for_update().filter(pk=appeal.pk).values_list("pk", flat=True).get()
    locked = Appeal.objects.select_related("regulation", "body").get(pk=appeal.pk)
    if (
        staff is not None
        and locked.body_id != appeal.body_id
        and permissions.is_staff_of_current_body(staff, appeal)
        and not permissions.is_staff_of_current_body(staff, locked)
    ):
        raise Conflict(
            _("Meanwhile this appeal was redirected to %(body)s; the step is no longer possible.") % {"body": locked.body}
        )
    return locked


def lock_appeal(appeal: Appeal) -> Appeal:
    """For other apps' services (moderation) that change an appeal's public record: call inside
    transaction.atomic(), then record the change with append_event() in the same transaction."""
    return _locked(appeal)


def append_event(appeal: Appeal, kind: str, actor=None, **fields) -> AppealEvent:
    return _append_event(appeal, kind, actor=actor, **fields)


def _check_open(appeal: Appeal):
    if appeal.status not in OPEN_STATUSES:
        raise Conflict(_("This appeal is %(status)s; the step is no longer possible.") % {"status": appeal.get_status_display()})


def _validate_submission(*, body, type, subject, text, region, channel=Channel.OPEN_DIALOGUE):
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("Choose one of: %(channels)s.") % {"channels": ", ".join(Channel.values)}
    elif channel == Channel.VIRTUAL_RECEPTION and "body" not in errors:
        # The Virtual Reception is the President's: its appeals are registered at the Presidential Administration,
        # which answers or redirects them under the usual rules.
        reception = selectors.virtual_reception_body()
        if reception is None or body.pk != reception.pk:
            errors["body"] = _("Appeals to the President's Virtual Reception go to the Presidential Administration.")
    if not isinstance(body, Body) or not body.accepts_appeals:
        errors["body"] = _("Choose a state body that accepts appeals.")
    if type not in AppealType.values:
        errors["type"] = _("Choose one of: %(types)s.") % {"types": ", ".join(AppealType.values)}
    if not isinstance(region, Region):
        errors["region"] = _("Choose a region.")
    for field, value, limit in (("subject", subject, MAX_SUBJECT_LENGTH), ("text", text, MAX_TEXT_LENGTH)):
        try:
            _text(value, field, limit)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def submit_appeal(
    applicant,
    *,
    body: Body,
    type: str,
    subject: str,
    text: str,
    region: Region,
    is_public: bool = False,
    show_name: bool = False,
    attachments=(),
    idempotency_key: str | None = None,
    complaint_about: Appeal | None = None,
    channel: str = Channel.OPEN_DIALOGUE,
    signature: str = "",
    sms_phone: str = "",
    sms_code: str = "",
    signature_required: bool = False,
) -> Appeal:
    """Register an appeal to the head of `body`: number, due date, the registration event, an email.

    `channel`: the door it came through (models.Channel); kept on the appeal and in its registration event.

    With an idempotency key, a retry of the same submission returns the appeal already registered.
    `show_name`: on a public appeal, show the applicant's full name instead of their pseudonym.
    `signature`: the applicant's CMS over the text (core/eds.py); checked, then kept with its own event in the same
    transaction as the registration. A signature refused refuses the submission: nothing is registered.
    """
    _require(applicant.is_authenticated and applicant.is_active, _("Sign in to write an appeal."))
    identity.require(applicant, identity.Step.WRITE_APPEAL)
    if idempotency_key:
        idempotency_key = _idempotency_key(idempotency_key)
        existing = Appeal.objects.filter(applicant=applicant, idempotency_key=idempotency_key).first()
        if existing:
            return _same_submission_or_conflict(existing, body, type, subject, text)
    _validate_submission(body=body, type=type, subject=subject, text=text, region=region, channel=channel)
    signed_by_sms = bool((sms_code or "").strip())
    if signed_by_sms:
        identity.require(applicant, identity.Step.SIGN_APPEAL)
    elif signature_required and not (signature or "").strip():
        raise ValidationError({"signature": _must_sign_message()})
    signer = _checked_signature(signature, text)  # before the transaction: it may read a revocation list
    files = inspect_uploads(attachments)  # read and checked before the transaction: nothing half-saved
    # Last before the transaction: a code checked is used up, and its wrong tries must stay counted on a refusal.
    phone_hash = identity.confirm_signing_code(applicant, sms_phone, sms_code, eds.text_sha256(text)) if signed_by_sms else ""
    try:
        # The registration's tasks (figures, classification, the two emails) are written in one INSERT at its end.
        with transaction.atomic(), enqueued_together():
            appeal = _register(
                applicant,
                body,
                type,
                subject,
                text,
                region,
                is_public,
                files,
                idempotency_key,
                complaint_about,
                show_name,
                channel=channel,
            )
            if signer is not None:
                _record_signature(appeal, applicant, signer, SignedText.APPEAL, text)
            elif phone_hash:
                _record_sms_signature(appeal, applicant, phone_hash, text)
    except IntegrityError:
        # Two retries raced with the same key: the other one won; return its appeal.
        if idempotency_key:
            existing = Appeal.objects.filter(applicant=applicant, idempotency_key=idempotency_key).first()
            if existing:
                return _same_submission_or_conflict(existing, body, type, subject, text)
        raise
    return appeal


def _idempotency_key(value: str) -> str:
    """The key as sent, or a 400. Never shortened: two long keys cut to the same prefix would be one appeal."""
    value = value.strip()
    if len(value) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValidationError(
            {
                "idempotency_key": _(
                    "An Idempotency-Key is at most %(limit)d characters (this one has %(n)d); send a shorter unique key, "
                    "such as a UUID."
                )
                % {"limit": MAX_IDEMPOTENCY_KEY_LENGTH, "n": len(value)}
            }
        )
    characters.validate(value, "idempotency_key")
    return value


def _same_submission_or_conflict(existing: Appeal, body, type, subject, text) -> Appeal:
    """A retry returns the appeal it registered; a different appeal under a used key is a client error."""
    same = (
        existing.addressed_body_id == getattr(body, "pk", None)
        and existing.type == type
        and existing.subject == (subject or "").strip()
        and existing.text == (text or "").strip()
    )
    if not same:
        raise Conflict(
            _("This Idempotency-Key was already used for a different appeal (No. %(number)s).") % {"number": existing.number}
        )
    return existing


def _register(
    applicant,
    body,
    type,
    subject,
    text,
    region,
    is_public,
    files,
    idempotency_key,
    complaint_about,
    show_name=False,
    registered_by=None,
    note=None,
    channel=Channel.OPEN_DIALOGUE,
):
    # The applicant's row, locked and still active: anonymising an account (accounts.services) holds the same
    # lock while it checks that no appeal of theirs is open, so no appeal can slip in between. An anonymous report
    # has no applicant: the moderator who screened it registers it (`registered_by`), with its `note`.
    locked, reserved_id = _lock_applicant_and_reserve_id(applicant)
    if not locked:
        raise PermissionDenied(_("Sign in to write an appeal."))
    now = clock.now()
    today = clock.today()
    regulation = deadlines.current_regulation(today)
    due_on = deadlines.answer_due_on(today, regulation)
    appeal = Appeal.objects.create(
        id=reserved_id,
        # The number is written with the row when its id is known beforehand (PostgreSQL); otherwise just after.
        number=_appeal_number(today, reserved_id) if reserved_id else None,
        applicant=applicant,
        type=type,
        channel=channel,
        subject=subject.strip(),
        text=text.strip(),
        region=region,
        is_public=bool(is_public),
        show_name=bool(is_public and show_name),
        addressed_body=body,
        body=body,
        regulation=regulation,
        registered_at=now,
        received_on=today,
        due_on=due_on,
        idempotency_key=idempotency_key or None,
        complaint_about=complaint_about,
    )
    if not reserved_id:
        appeal.number = _appeal_number(today, appeal.pk)
        appeal.save(update_fields=["number"])
    saved = []
    for facts in files:
        attachment = Attachment(
            appeal=appeal,
            token=secrets.token_hex(8),
            original_name=facts["original_name"],
            content_type=facts["content_type"],
            extension=facts["extension"],
            size=facts["size"],
            sha256=facts["sha256"],
            uploaded_by=applicant,
            uploaded_at=now,
        )
        attachment.file.save("upload", ContentFile(facts["data"]), save=False)
        attachment.save()
        saved.append(attachment)
    data = {
        "number": appeal.number,
        "due_on": due_on.isoformat(),
        "received_on": today.isoformat(),
        "regulation_version": regulation.version,
        "attachments": len(files),
        "channel": str(channel),
    }
    if complaint_about:
        data["complaint_about"] = complaint_about.number
    if note:
        data.update(note)
    event = _append_event(appeal, EventKind.REGISTERED, actor=registered_by or applicant, to_body=body, data=data, first=True)
    stay = stays.start(appeal, event, first=True)
    stays.note_next_appeal(appeal)  # the applicant wrote again: their earlier answers from this body learn it
    notifications.on_commit_notify(appeal, EventKind.REGISTERED, seq=event.seq)
    staff_notifications.enqueue_appeal_notice(appeal, event)
    # What the registration wrote besides the appeal, for a caller that shows it at once (the API's answer to the
    # submission, presenters.known_new); a retry's appeal found by its idempotency key has none.
    appeal.registered_now = {"stay": stay, "attachments": saved}
    return appeal


def _appeal_number(today: dt.date, pk: int) -> str:
    return f"{today.year}-{pk:06d}"


def _lock_applicant_and_reserve_id(applicant) -> tuple[bool, int | None]:
    """Lock the applicant's row if the account is still active (always true without an applicant), and on
    PostgreSQL reserve the new appeal's id from its sequence in the same query, so the appeal's number is written
    with the row instead of by a second UPDATE (which, on a column with an index, rewrites every index entry of
    the new row). Elsewhere (SQLite: development and tests) the id comes from the INSERT: (locked, None)."""
    if connection.vendor != "postgresql":
        if applicant is None:
            return True, None
        return get_user_model().objects.select_for_update().filter(pk=applicant.pk, is_active=True).exists(), None
    sequence = f"nextval(pg_get_serial_sequence('{Appeal._meta.db_table}', 'id'))"
    with connection.cursor() as cursor:
        if applicant is None:
            cursor.execute(f"SELECT {sequence}")
        else:
            users = connection.ops.quote_name(get_user_model()._meta.db_table)
            cursor.execute(f"SELECT {sequence} FROM {users} WHERE id = %s AND is_active FOR UPDATE", [applicant.pk])
        row = cursor.fetchone()
    return (True, row[0]) if row else (False, None)


def _checked_signature(signature: str, text: str):
    """The signer of a CMS over `text` (core/eds.py), None when nothing was signed; a refusal is the form's error."""
    if not (signature or "").strip():
        return None
    try:
        return eds.verify(signature, text)
    except eds.SignatureRefused as exc:
        raise ValidationError({"signature": exc.messages}) from None


def _record_signature(appeal: Appeal, signer_user, signer, signed: str, text: str) -> Signature:
    """The EDS signature beside the record: the person's IIN checked against their account (accounts, through
    core.identity), the SIGNED event with the fingerprints, and the CMS. Callers hold the appeal's row lock."""
    identity.confirm_signer(signer_user, signer)
    digest = eds.text_sha256(text)
    event = _append_event(
        appeal,
        EventKind.SIGNED,
        actor=signer_user,
        data={"signed": signed, "method": SignatureMethod.EDS, "text_sha256": digest, **signer.record()},
    )
    signature = Signature.objects.create(
        appeal=appeal,
        event=event,
        signed=signed,
        method=SignatureMethod.EDS,
        signer=signer_user,
        text_sha256=digest,
        issuer=signer.issuer[:300],
        valid_from=signer.valid_from,
        valid_until=signer.valid_until,
        checked_at=signer.checked_at,
    )
    SignerDetails.objects.create(
        signature=signature,
        cms=signer.cms,
        signer_name=signer.name[:300],
        organisation=signer.organisation[:300],
        certificate_serial=signer.certificate_serial[:80],
    )
    return signature


def signature_required() -> bool:
    """The operator's choice (ASHYQ_APPEAL_SIGNATURE): must appeals sent on the forms and the API be signed?"""
    from django.conf import settings

    return settings.ASHYQ_APPEAL_SIGNATURE == "required"


def _must_sign_message() -> str:
    return _(
        "This appeal must be signed before it is sent: with your digital signature, or by a code sent by SMS to the "
        "phone your account is confirmed with."
    )


def request_signing_code(request, *, text: str, phone: str) -> dict:
    """Send the applicant a one-time code by SMS that signs this exact text (its SHA-256 is named in the message and
    bound to the code). Refused, saying what is needed, below the level ASHYQ_LEVEL_SIGN_APPEAL; the limits, the wait
    and a failing gateway are the SMS verification's (core.identity.SmsNotSent, TooManyCodes). Sends, saves nothing
    else. Returns {"phone": the number masked}."""
    applicant = request.user
    _require(applicant.is_authenticated and applicant.is_active, _("Sign in to write an appeal."))
    identity.require(applicant, identity.Step.SIGN_APPEAL)
    text = _text(text, "text", MAX_TEXT_LENGTH)
    return identity.send_signing_code(request, phone, eds.text_sha256(text))


def _record_sms_signature(appeal: Appeal, applicant, phone_hash: str, text: str) -> Signature:
    """The applicant's signature by SMS code beside the record: the SIGNED event names the method, the signed text's
    SHA-256 and the day; the phone's keyed hash (never the number) is kept with the signer's details. Callers hold the
    appeal's row lock."""
    now = clock.now()
    digest = eds.text_sha256(text)
    event = _append_event(
        appeal,
        EventKind.SIGNED,
        actor=applicant,
        data={
            "signed": SignedText.APPEAL,
            "method": SignatureMethod.SMS,
            "text_sha256": digest,
            "valid_on": now.date().isoformat(),
        },
    )
    signature = Signature.objects.create(
        appeal=appeal,
        event=event,
        signed=SignedText.APPEAL,
        method=SignatureMethod.SMS,
        signer=applicant,
        text_sha256=digest,
        checked_at=now,
    )
    SignerDetails.objects.create(signature=signature, phone_hash=phone_hash)
    return signature


def erase_signer_details(user) -> int:
    """Remove a person's personal facts from every signature they made (names, certificate serials, the CMS with the
    IIN, the phone's hash): the one path that deletes SignerDetails, called when their account is anonymised, in the
    caller's transaction. The signatures, their events and the hash chains stay exactly as they were, so the record
    still says who signed (the applicant, the official), how and when the certificate was valid. Returns how many
    were removed."""
    removed, _per_model = SignerDetails.objects.filter(signature__signer=user).delete()
    return removed


def assign_executor(actor, appeal: Appeal, executor) -> Appeal:
    """An official or head of the body names who prepares the answer."""
    with transaction.atomic():
        appeal = _locked(appeal, staff=actor)
        _require(permissions.is_staff_of_current_body(actor, appeal), _("Only the body's staff may assign an executor."))
        _check_open(appeal)
        if executor is None or not executor.is_active or executor.body_id != appeal.body_id or not executor.is_body_staff:
            raise ValidationError({"executor": _("The executor must be an active official of %(body)s.") % {"body": appeal.body}})
        appeal.executor = executor
        appeal.status = Status.IN_PROGRESS
        appeal.save(update_fields=["executor", "status", "updated_at"])
        _append_event(
            appeal,
            EventKind.EXECUTOR_ASSIGNED,
            actor=actor,
            to_body=appeal.body,
            data={"executor_id": executor.pk, "executor": executor.display_name},
        )
    return appeal


def redirect_appeal(actor, appeal: Appeal, to_body: Body, reason: str) -> Appeal:
    """Send the appeal to the competent body within the redirect term (APPC art. 65), telling the applicant.

    The receiving body registers it on the day it arrives, and its own answer term starts then.
    """
    with transaction.atomic():
        appeal = _locked(appeal, staff=actor)
        _require(permissions.is_staff_of_current_body(actor, appeal), _("Only the body's staff may redirect its appeals."))
        _check_open(appeal)
        reason = _text(reason, "reason", MAX_REASON_LENGTH)
        if not isinstance(to_body, Body) or not to_body.accepts_appeals:
            raise ValidationError({"to_body": _("Choose a state body that accepts appeals.")})
        if to_body.pk == appeal.body_id:
            raise ValidationError({"to_body": _("The appeal is already with this body.")})
        today = clock.today()
        last_day = deadlines.redirect_deadline(appeal.received_on, appeal.regulation)
        if not deadlines.redirect_open(appeal, today):
            raise ValidationError(
                {
                    "to_body": _(
                        "The redirect term ended on %(date)s (%(n)d working days after registration); the body must now answer."
                    )
                    % {"date": last_day.isoformat(), "n": appeal.regulation.redirect_working_days}
                }
            )
        from_body = appeal.body
        due_on = deadlines.answer_due_on(today, appeal.regulation)
        appeal.body = to_body
        appeal.received_on = today
        appeal.due_on = due_on
        appeal.executor = None
        appeal.status = Status.REGISTERED
        appeal.save(update_fields=["body", "received_on", "due_on", "executor", "status", "updated_at"])
        event = _append_event(
            appeal,
            EventKind.REDIRECTED,
            actor=actor,
            from_body=from_body,
            to_body=to_body,
            reason=reason,
            data={"due_on": due_on.isoformat(), "received_on": today.isoformat(), "redirect_deadline": last_day.isoformat()},
        )
        stays.end(appeal, event)
        stays.start(appeal, event)
        notifications.on_commit_notify(appeal, EventKind.REDIRECTED, seq=event.seq)
        staff_notifications.enqueue_appeal_notice(appeal, event)
    return appeal


def extend_deadline(actor, appeal: Appeal, until: dt.date, reason: str) -> Appeal:
    """The head's reasoned decision to extend consideration, at most N months in total (APPC art. 76)."""
    with transaction.atomic():
        appeal = _locked(appeal, staff=actor)
        _require(permissions.is_staff_of_current_body(actor, appeal), _("Only the body's staff may act on its appeals."))
        _require(permissions.can_extend(actor, appeal), _("Only the head of the body may extend the term."))
        _check_open(appeal)
        reason = _text(reason, "reason", MAX_REASON_LENGTH)
        reg = appeal.regulation
        today = clock.today()
        if not isinstance(until, dt.date):
            raise ValidationError({"until": _("Enter a date.")})
        if not deadlines.extension_open(appeal, today):
            raise ValidationError(
                {"until": _("The term ended on %(date)s; an overdue appeal cannot be extended.") % {"date": appeal.due_on}}
            )
        if until <= appeal.due_on:
            raise ValidationError(
                {"until": _("The new date must be after the current due date, %(date)s.") % {"date": appeal.due_on}}
            )
        limit = deadlines.extension_limit(appeal.received_on, reg)
        if until > limit:
            raise ValidationError(
                {
                    "until": _("Consideration may last at most %(m)d months in total: no later than %(date)s.")
                    % {"m": reg.extension_max_months, "date": limit.isoformat()}
                }
            )
        if not calendar.is_working_day(until, reg.calendar_country):
            raise ValidationError({"until": _("%(date)s is not a working day in Kazakhstan.") % {"date": until.isoformat()}})
        previous = appeal.due_on
        appeal.due_on = until
        appeal.save(update_fields=["due_on", "updated_at"])
        _append_event(
            appeal,
            EventKind.EXTENDED,
            actor=actor,
            to_body=appeal.body,
            reason=reason,
            data={"previous_due_on": previous.isoformat(), "due_on": until.isoformat()},
        )
        stays.extend(appeal)
        notifications.on_commit_notify(appeal, EventKind.EXTENDED)
    return appeal


def answer_appeal(actor, appeal: Appeal, *, text: str, outcome: str, legal_ground: str = "", signature: str = "") -> Answer:
    """The body's answer. Refusals and appeals left without consideration must cite their legal ground.
    `signature`: the official's CMS over the answer's text, kept with its own event in the answer's transaction; a
    signature may itself give the level the answer needs (an EDS verification of the official's account)."""
    signer = _checked_signature(signature, text)
    with transaction.atomic():
        appeal = _locked(appeal, staff=actor)
        _require(permissions.is_staff_of_current_body(actor, appeal), _("Only the body's staff may answer its appeals."))
        if signer is not None:
            identity.confirm_signer(actor, signer)
        identity.require(actor, identity.Step.OFFICIAL_ANSWER)
        _check_open(appeal)
        if appeal.applicant_id:
            # The applicant's row lock, as their registrations take it, before the answer's moment is read: a new
            # appeal of theirs to this body is registered either before (this answer's stay finds it) or after this
            # step commits (its registration marks this answer's stay), never unseen by both (stays.note_next_appeal).
            get_user_model().objects.select_for_update().filter(pk=appeal.applicant_id).values_list("pk", flat=True).first()
        errors = {}
        try:
            text = _text(text, "text", MAX_TEXT_LENGTH)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if outcome not in Outcome.values:
            errors["outcome"] = [_("Choose one of: %(v)s.") % {"v": ", ".join(Outcome.values)}]
        try:  # refused past the limit with a message, never cut: a cut ground could cite the wrong article
            legal_ground = _text(legal_ground, "legal_ground", MAX_REASON_LENGTH, required=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            legal_ground = "-"  # stated: no second message that it is missing
        if outcome in OUTCOMES_NEEDING_GROUND and not legal_ground:
            errors["legal_ground"] = [_("A refusal or leaving without consideration must cite its legal ground.")]
        if errors:
            raise ValidationError(errors)
        now = clock.now()
        answer = Answer.objects.create(
            appeal=appeal,
            body=appeal.body,
            author=actor,
            text=text,
            outcome=outcome,
            legal_ground=legal_ground,
            answered_at=now,
            answered_on_time=clock.today() <= appeal.due_on,
        )
        appeal.status = Status.ANSWERED
        appeal.save(update_fields=["status", "updated_at"])
        event = _append_event(
            appeal,
            EventKind.ANSWERED,
            actor=actor,
            at=now,
            to_body=appeal.body,
            reason=legal_ground,
            data={"outcome": outcome, "on_time": answer.answered_on_time},
        )
        stays.end(appeal, event, answer=answer)
        if signer is not None:
            _record_signature(appeal, actor, signer, SignedText.ANSWER, text)
        notifications.on_commit_notify(appeal, EventKind.ANSWERED, seq=event.seq)
    return answer


def record_feedback(actor, appeal: Appeal, *, resolution: str, rating, comment: str = "") -> Feedback:
    """The applicant says whether the answer solved the problem, and how satisfied they are."""
    with transaction.atomic():
        appeal = _locked(appeal)
        _require(permissions.is_applicant(actor, appeal), _("Only the applicant may rate the answer."))
        if appeal.status != Status.ANSWERED:
            raise Conflict(_("Feedback is possible once the appeal is answered."))
        if Feedback.objects.filter(appeal=appeal).exists():
            raise Conflict(_("You have already given feedback on this answer."))
        errors = {}
        if resolution not in Resolution.values:
            errors["resolution"] = [_("Choose yes, partly or no.")]
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5:
            errors["rating"] = [_("Rate from 1 to 5.")]
        try:
            comment = _text(comment, "comment", MAX_REASON_LENGTH, required=False)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        feedback = Feedback.objects.create(
            appeal=appeal, resolution=resolution, rating=rating, comment=comment, created_at=clock.now()
        )
        _append_event(appeal, EventKind.FEEDBACK, actor=actor, reason=comment, data={"resolution": resolution, "rating": rating})
    return feedback


def withdraw_appeal(actor, appeal: Appeal, reason: str = "") -> Appeal:
    with transaction.atomic():
        appeal = _locked(appeal)
        _require(permissions.is_applicant(actor, appeal), _("Only the applicant may withdraw the appeal."))
        _check_open(appeal)
        reason = _text(reason, "reason", MAX_REASON_LENGTH, required=False)
        appeal.status = Status.WITHDRAWN
        appeal.save(update_fields=["status", "updated_at"])
        event = _append_event(appeal, EventKind.WITHDRAWN, actor=actor, from_body=appeal.body, reason=reason)
        stays.end(appeal, event)
    return appeal


def complain_about_answer(actor, appeal: Appeal, *, text: str, attachments=(), is_public: bool | None = None) -> Appeal:
    """A complaint about the answer: a new appeal of type complaint to the higher body, linked to this one."""
    appeal = Appeal.objects.select_related("body__parent").get(pk=appeal.pk)
    _require(permissions.is_applicant(actor, appeal), _("Only the applicant may complain about the answer."))
    if appeal.status != Status.ANSWERED:
        raise Conflict(_("A complaint is possible once the appeal is answered."))
    superior = appeal.body.parent
    if superior is None:
        raise Conflict(_("%(body)s has no higher body in Ashyq; its answer can be challenged in court.") % {"body": appeal.body})
    with transaction.atomic():
        original = _locked(appeal)
        if Appeal.objects.filter(complaint_about=original).exists():
            raise Conflict(_("A complaint about this answer has already been filed."))
        complaint = submit_appeal(
            actor,
            body=superior,
            type=AppealType.COMPLAINT,
            subject=(_("Complaint about the answer to appeal %(number)s") % {"number": original.number})[:MAX_SUBJECT_LENGTH],
            text=text,
            region=original.region,
            is_public=original.is_public if is_public is None else is_public,
            attachments=attachments,
            complaint_about=original,
        )
        _append_event(
            original,
            EventKind.COMPLAINED,
            actor=actor,
            from_body=original.body,
            to_body=superior,
            data={"complaint": complaint.number, "complaint_id": complaint.pk},
        )
    return complaint


# --- Anonymous reports ----------------------------------------------------------------------------------------
# The APPC does not consider anonymous appeals, except reports of crimes and threats to public safety. Such a report
# needs no account; a moderator screens it, then registers it as an appeal without an applicant (its term starts
# that day) or refuses it with a reason. The sender follows it by its reference.


def submit_anonymous_report(*, ground: str, body, region, subject: str, text: str, confirmed: bool) -> AnonymousReport:
    """Receive a report without an account. Only a report of a crime or a threat to public safety is accepted
    (`ground`, and the sender's confirmation that it is one); anything else is refused with where to go instead."""
    errors = {}
    if ground not in AnonymousGround.values:
        errors["ground"] = [
            _(
                "Anonymous appeals are considered only when they report a crime or a threat to public safety: choose "
                "which, or sign in to write an ordinary appeal."
            )
        ]
    if not confirmed:
        errors["confirmed"] = [_("Confirm that you are reporting a crime or a threat to public safety.")]
    try:
        _validate_submission(body=body, type=AppealType.REPORT, subject=subject, text=text, region=region)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return AnonymousReport.objects.create(
        reference=secrets.token_urlsafe(16),
        ground=ground,
        body=body,
        region=region,
        subject=subject.strip(),
        text=text.strip(),
        received_at=clock.now(),
    )


def _screened(actor, report: AnonymousReport) -> AnonymousReport:
    _require(permissions.is_moderator(actor), _("Only moderators screen anonymous reports."))
    report = AnonymousReport.objects.select_for_update().get(pk=report.pk)
    if report.state != AnonymousReport.State.PENDING:
        raise Conflict(_("This report has already been screened."))
    return report


def register_anonymous_report(actor, report: AnonymousReport) -> Appeal:
    """A moderator found it to be a report of a crime or a threat to public safety: it becomes an appeal of type
    report to its body, without an applicant, registered today with the note of its anonymous ground."""
    with transaction.atomic(), enqueued_together():
        report = _screened(actor, report)
        appeal = _register(
            None,
            report.body,
            AppealType.REPORT,
            report.subject,
            report.text,
            report.region,
            False,
            [],
            None,
            None,
            registered_by=actor,
            note={"anonymous": report.ground},
        )
        report.state, report.appeal = AnonymousReport.State.REGISTERED, appeal
        report.decided_by, report.decided_at = actor, clock.now()
        report.save(update_fields=["state", "appeal", "decided_by", "decided_at"])
    return appeal


def refuse_anonymous_report(actor, report: AnonymousReport, reason: str) -> AnonymousReport:
    """Not a report of a crime or a threat (or spam, or abuse): refused, with a reason the sender reads by reference."""
    with transaction.atomic():
        report = _screened(actor, report)
        report.reason = _text(reason, "reason", MAX_REASON_LENGTH)
        report.state, report.decided_by, report.decided_at = AnonymousReport.State.REFUSED, actor, clock.now()
        report.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    return report


def set_staff_notifications(actor, *, each_appeal: bool, daily_digest: bool) -> StaffNotificationPreference:
    """An official or head chooses which emails about their body's appeals they get."""
    _require(actor.is_authenticated and actor.is_body_staff, _("Only the staff of a body receive its appeals' emails."))
    preference, _created = StaffNotificationPreference.objects.update_or_create(
        user=actor, defaults={"each_appeal": bool(each_appeal), "daily_digest": bool(daily_digest)}
    )
    return preference
