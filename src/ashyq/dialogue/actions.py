"""The one table of the steps people take on an appeal. The appeal page's forms (views.py, detail.html), the JSON
API's operations (api.py) and the permission-matrix test are all generated from ACTIONS, so a step cannot be
offered on one channel and forgotten on another, or allowed by one and refused by the other.

Each row: the form and the API payload, who may (permissions.py), when the statutory window allows it
(deadlines.py, from the appeal's Regulation), the service that does it (services.py, which checks all of it
again under the row lock), the event it appends, and the words people see.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from ninja import Field, Schema

from ashyq.bodies.models import Body
from ashyq.core import identity
from ashyq.core.confirmation import Confirmation

from . import deadlines, permissions, services
from .forms import AnswerForm, AssignForm, ComplaintForm, ExtendForm, FeedbackForm, RedirectForm, WithdrawForm
from .models import EventKind

# --- API payloads ----------------------------------------------------------------------------------------------


class AssignIn(Schema):
    executor: int = Field(description="Id of an active official or head of the body now responsible")


class RedirectIn(Schema):
    to_body: str
    reason: str


class ExtendIn(Schema):
    until: dt.date
    reason: str


class AnswerIn(Schema):
    text: str
    outcome: str = Field(description="resolved, explained, refused or left_without_consideration")
    legal_ground: str = ""
    signature: str = Field("", description="Optional: the official's CMS (CAdES) signature over the text, base64 (docs/api.md)")


class FeedbackIn(Schema):
    resolved: str = Field(description="yes, partly or no")
    rating: int = Field(description="satisfaction from 1 to 5")
    comment: str = ""


class ComplainIn(Schema):
    text: str = Field(description="Why the answer is wrong; the complaint becomes a new appeal to the higher body")


class WithdrawIn(Schema):
    reason: str = ""


def _always(appeal, today: dt.date) -> bool:
    return True


def _executor(pk):
    return get_user_model().objects.filter(pk=pk).first()


def _body(slug):
    body = Body.objects.filter(slug=slug).first()
    if body is None:
        raise ValidationError({"to_body": f"Unknown body {slug!r}; see GET /api/v1/bodies."})
    return body


@dataclass(frozen=True)
class Action:
    name: str
    form: type
    permission: Callable[[Any, Any], bool]  # (user, appeal) -> may this user take the step at all
    run: Callable[[Any, Any, dict, list], Any]  # (user, appeal, form data, files) -> the service's result
    api_in: type[Schema]
    api_run: Callable[[Any, Any, Schema], Any]  # (user, appeal, payload) -> the service's result
    event: str  # the EventKind the step appends
    title: str  # the heading of its form on the appeal page
    button: str
    summary: str  # the API operation's summary
    success: Callable[[Any], str]  # the message after the step, from the service's result
    window: Callable[[Any, dt.date], bool] = _always  # (appeal, today) -> does the statutory window allow it now
    form_kwargs: Callable[[Any], dict] = lambda appeal: {}
    help: Callable[[Any], str] | None = None  # a line under the heading, from the appeal's regulation
    multipart: bool = False
    secondary: bool = False  # a step to think twice about: a quieter button
    needs: str | None = None  # the core.identity.Step whose level of verification the step needs
    # A step that cannot be undone: (appeal, its valid form's data) -> what the confirmation page says before it
    # runs (core/confirmation.py). The API stays one call: its clients are programs that already decided.
    confirm: Callable[[Any, dict], Confirmation] | None = None

    def make_form(self, appeal, data=None, files=None):
        # Named by step (answer-text, redirect-reason): the appeal page's steps are one form (dialogue/detail.html).
        return self.form(data, files, prefix=self.name, **self.form_kwargs(appeal))

    def offered(self, user, appeal, today: dt.date) -> bool:
        return self.permission(user, appeal) and self.window(appeal, today)


def _redirect_help(appeal) -> str:
    days = appeal.regulation.redirect_working_days
    return ngettext(
        "Possible until %(date)s (%(n)d working day after registration). The applicant is told at once.",
        "Possible until %(date)s (%(n)d working days after registration). The applicant is told at once.",
        days,
    ) % {"date": deadlines.redirect_deadline(appeal.received_on, appeal.regulation).strftime("%d.%m.%Y"), "n": days}


def _extend_help(appeal) -> str:
    return _("A reasoned decision of the head; consideration may last until %(date)s at most.") % {
        "date": deadlines.extension_limit(appeal.received_on, appeal.regulation).strftime("%d.%m.%Y")
    }


def _complain_help(appeal) -> str:
    return _("Your complaint becomes a new appeal to %(body)s, linked to this one.") % {"body": appeal.body.parent}


def _about(appeal) -> str:
    return f"{appeal.subject} — {appeal.body}"


def _confirm_answer(appeal, data) -> Confirmation:
    return Confirmation(
        question=_("Send the answer to appeal No. %(number)s?") % {"number": appeal.number},
        about=_about(appeal),
        happens=[
            _("The applicant receives the answer at once, and the consideration of the appeal ends."),
            _(
                "This cannot be undone: a sent answer cannot be changed or taken back. The applicant may complain about it to the higher body."
            ),
            _("If the appeal is public, the answer and its legal ground are published once a moderator has reviewed them."),
        ],
        button=_("Yes, send the answer"),
    )


def _confirm_redirect(appeal, data) -> Confirmation:
    to = data["to_body"]
    return Confirmation(
        question=_("Redirect appeal No. %(number)s to %(body)s?") % {"number": appeal.number, "body": to},
        about=_about(appeal),
        happens=[
            _("%(body)s becomes responsible for the appeal and answers it; your body can no longer act on it.") % {"body": to},
            _("The applicant is told at once, with your reason."),
            _("This cannot be undone: only %(body)s can send the appeal on again.") % {"body": to},
        ],
        button=_("Yes, redirect the appeal"),
    )


def _confirm_extend(appeal, data) -> Confirmation:
    dates = {"old": appeal.due_on.strftime("%d.%m.%Y"), "new": data["until"].strftime("%d.%m.%Y")}
    return Confirmation(
        question=_("Extend the term of appeal No. %(number)s until %(date)s?") % {"number": appeal.number, "date": dates["new"]},
        about=_about(appeal),
        happens=[
            _("The answer becomes due on %(new)s instead of %(old)s.") % dates,
            _("The applicant is told at once, with your reasoned decision."),
            _("This cannot be undone: the term cannot be shortened again."),
        ],
        button=_("Yes, extend the term"),
    )


def _confirm_feedback(appeal, data) -> Confirmation:
    return Confirmation(
        question=_("Send your feedback on the answer to appeal No. %(number)s?") % {"number": appeal.number},
        about=_about(appeal),
        happens=[
            _("Your verdict and satisfaction go on the appeal's record and count in the assessment of %(body)s.")
            % {"body": appeal.body},
            _("This cannot be undone: feedback is given once and cannot be changed."),
        ],
        button=_("Yes, send my feedback"),
    )


def _confirm_withdraw(appeal, data) -> Confirmation:
    return Confirmation(
        question=_("Withdraw appeal No. %(number)s?") % {"number": appeal.number},
        about=_about(appeal),
        happens=[
            _("The body stops considering the appeal and will not answer it."),
            _(
                "This cannot be undone: a withdrawn appeal cannot be reopened. To raise the matter again, you submit a "
                "new appeal, with a new term."
            ),
            _("The withdrawal and your reason stay in the appeal's record."),
        ],
        button=_("Yes, withdraw the appeal"),
    )


_ACTIONS = [
    Action(
        name="assign",
        form=AssignForm,
        permission=permissions.can_assign,
        run=lambda user, appeal, data, files: services.assign_executor(user, appeal, data["executor"]),
        api_in=AssignIn,
        api_run=lambda user, appeal, p: services.assign_executor(user, appeal, _executor(p.executor)),
        event=EventKind.EXECUTOR_ASSIGNED,
        title=_("Assign an executor"),
        button=_("Assign"),
        summary="Assign the executor who prepares the answer (the body's staff)",
        success=lambda result: _("The executor is assigned."),
        form_kwargs=lambda appeal: {"body": appeal.body},
    ),
    Action(
        name="answer",
        form=AnswerForm,
        permission=permissions.can_answer,
        run=lambda user, appeal, data, files: services.answer_appeal(
            user,
            appeal,
            text=data["text"],
            outcome=data["outcome"],
            legal_ground=data["legal_ground"],
            signature=data["signature"],
        ),
        api_in=AnswerIn,
        api_run=lambda user, appeal, p: services.answer_appeal(
            user, appeal, text=p.text, outcome=p.outcome, legal_ground=p.legal_ground, signature=p.signature
        ),
        event=EventKind.ANSWERED,
        title=_("Answer"),
        button=_("Send the answer"),
        summary="Answer the appeal",
        success=lambda result: _("The answer is sent to the applicant."),
        needs=identity.Step.OFFICIAL_ANSWER,
        confirm=_confirm_answer,
    ),
    Action(
        name="redirect",
        form=RedirectForm,
        permission=permissions.can_redirect,
        run=lambda user, appeal, data, files: services.redirect_appeal(user, appeal, data["to_body"], data["reason"]),
        api_in=RedirectIn,
        api_run=lambda user, appeal, p: services.redirect_appeal(user, appeal, _body(p.to_body), p.reason),
        event=EventKind.REDIRECTED,
        title=_("Redirect to the competent body"),
        button=_("Redirect"),
        summary="Redirect to the competent body",
        success=lambda result: _("The appeal is redirected; the applicant is told."),
        window=deadlines.redirect_open,
        form_kwargs=lambda appeal: {"current_body": appeal.body},
        help=_redirect_help,
        confirm=_confirm_redirect,
    ),
    Action(
        name="extend",
        form=ExtendForm,
        permission=permissions.can_extend,
        run=lambda user, appeal, data, files: services.extend_deadline(user, appeal, data["until"], data["reason"]),
        api_in=ExtendIn,
        api_run=lambda user, appeal, p: services.extend_deadline(user, appeal, p.until, p.reason),
        event=EventKind.EXTENDED,
        title=_("Extend the term"),
        button=_("Extend"),
        summary="Extend the term (head of the body)",
        success=lambda result: _("The term is extended; the applicant is told."),
        window=deadlines.extension_open,
        help=_extend_help,
        confirm=_confirm_extend,
    ),
    Action(
        name="feedback",
        form=FeedbackForm,
        permission=permissions.can_give_feedback,
        run=lambda user, appeal, data, files: services.record_feedback(
            user, appeal, resolution=data["resolution"], rating=data["rating"], comment=data["comment"]
        ),
        api_in=FeedbackIn,
        api_run=lambda user, appeal, p: services.record_feedback(
            user, appeal, resolution=p.resolved, rating=p.rating, comment=p.comment
        ),
        event=EventKind.FEEDBACK,
        title=_("Did the answer solve your problem?"),
        button=_("Send feedback"),
        summary="Say whether the answer solved the problem",
        success=lambda result: _("Thank you: your feedback is on the record."),
        confirm=_confirm_feedback,
    ),
    Action(
        name="complain",
        form=ComplaintForm,
        permission=permissions.can_complain,
        run=lambda user, appeal, data, files: services.complain_about_answer(user, appeal, text=data["text"], attachments=files),
        api_in=ComplainIn,
        api_run=lambda user, appeal, p: services.complain_about_answer(user, appeal, text=p.text, attachments=[]),
        event=EventKind.COMPLAINED,
        title=_("Complain about the answer to the higher body"),
        button=_("File the complaint"),
        summary="Complain about the answer to the higher body (applicant); returns the new complaint",
        success=lambda complaint: _("Your complaint is registered as No. %(number)s.") % {"number": complaint.number},
        help=_complain_help,
        multipart=True,
    ),
    Action(
        name="withdraw",
        form=WithdrawForm,
        permission=permissions.can_withdraw,
        run=lambda user, appeal, data, files: services.withdraw_appeal(user, appeal, data["reason"]),
        api_in=WithdrawIn,
        api_run=lambda user, appeal, p: services.withdraw_appeal(user, appeal, p.reason if p else ""),
        event=EventKind.WITHDRAWN,
        title=_("Withdraw the appeal"),
        button=_("Withdraw"),
        summary="Withdraw the appeal (applicant)",
        success=lambda result: _("The appeal is withdrawn."),
        secondary=True,
        confirm=_confirm_withdraw,
    ),
]

ACTIONS: dict[str, Action] = {action.name: action for action in _ACTIONS}
