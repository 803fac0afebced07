from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ashyq.bodies.models import Body
from ashyq.core.forms import signature_field
from ashyq.core.language_draft import KeepsTypedText
from ashyq.core.models import Region

from .models import AnonymousGround, AppealType, Outcome, Resolution
from .services import MAX_REASON_LENGTH, MAX_SUBJECT_LENGTH, MAX_TEXT_LENGTH


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True

    def get_context(self, name, value, attrs):
        # The limit per file, for the browser to say "too large" before uploading (core/static/ashyq/site.js);
        # read when rendered, so the page states the limit the server applies (dialogue/attachments.py).
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-max-bytes"] = settings.ASHYQ_MAX_ATTACHMENT_BYTES
        return context


class MultipleFileField(forms.FileField):
    """Several files in one input; their content is checked by the service, not here."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        return list(data) if isinstance(data, (list, tuple)) else [data]


def bodies_for_choice():
    return Body.objects.filter(accepts_appeals=True).order_by("kind", "name_en")


def _attachments_help() -> str:
    # Interpolated when shown, in the language of the request (not once at import).
    return gettext("Up to %(n)d files: PDF, JPEG or PNG, at most 10 MB each.") % {"n": settings.ASHYQ_MAX_ATTACHMENTS}


class AppealForm(KeepsTypedText, forms.Form):
    body = forms.ModelChoiceField(label=_("To the head of"), queryset=Body.objects.none(), to_field_name="slug")
    type = forms.ChoiceField(label=_("Type of appeal"), choices=AppealType.choices)
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT_LENGTH)
    text = forms.CharField(label=_("Text of the appeal"), max_length=MAX_TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 10}))
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("name_en"), to_field_name="iso_code")
    is_public = forms.BooleanField(label=_("Make this appeal public after moderation"), required=False)
    show_name = forms.BooleanField(
        label=_("Show my full name on the public appeal instead of a pseudonym"),
        required=False,
        help_text=_("Only for a public appeal. Otherwise the public sees a pseudonym, such as Applicant 7KQ2M9."),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=lazy(_attachments_help, str)(),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    signature = signature_field()  # the applicant's EDS over the text, by the page's script (optional)
    # Or signed by a one-time code sent by SMS to the phone the account is confirmed with (templates/dialogue/_sms_sign).
    sign_phone = forms.CharField(
        label=_("The phone number your account is confirmed with"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    sign_code = forms.CharField(
        label=_("Code from the SMS"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    # The body comes after the text: an applicant who is unsure may ask which body should receive it
    # (analysis/body_suggestions.py), and the suggestions are shown right above this field.
    field_order = [
        "type",
        "subject",
        "text",
        "signature",
        "region",
        "body",
        "is_public",
        "show_name",
        "attachments",
        # Signing by SMS last, right above the send button; its own button must not be the form's first (Enter).
        "sign_phone",
        "sign_code",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies_for_choice()


class VirtualReceptionForm(AppealForm):
    """The appeal form of the President's Virtual Reception: no body to choose, it goes to the Presidential
    Administration (selectors.virtual_reception_body)."""

    field_order = [
        "type",
        "subject",
        "text",
        "signature",
        "sign_phone",
        "sign_code",
        "region",
        "is_public",
        "show_name",
        "attachments",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["body"]


class AssignForm(KeepsTypedText, forms.Form):
    # The choices are the staff's own names (often usernames in Latin letters): translate="no" keeps browsers'
    # page translators, and the untranslated-text check, from reading them as words of the interface.
    executor = forms.ModelChoiceField(label=_("Executor"), queryset=None, widget=forms.Select(attrs={"translate": "no"}))

    def __init__(self, *args, body=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The user model by Django's setting, not by import: accounts sits above dialogue.
        self.fields["executor"].queryset = (
            get_user_model().objects.filter(body=body, is_active=True).order_by("last_name", "username")
        )


class RedirectForm(KeepsTypedText, forms.Form):
    to_body = forms.ModelChoiceField(label=_("Competent body"), queryset=Body.objects.none(), to_field_name="slug")
    reason = forms.CharField(
        label=_("Reason for the redirect"), max_length=MAX_REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, current_body=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = bodies_for_choice()
        self.fields["to_body"].queryset = qs.exclude(pk=current_body.pk) if current_body else qs


class ExtendForm(KeepsTypedText, forms.Form):
    until = forms.DateField(label=_("Extend until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reasoned decision"), max_length=MAX_REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(KeepsTypedText, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    text = forms.CharField(label=_("Answer"), max_length=MAX_TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 8}))
    legal_ground = forms.CharField(
        label=_("Legal ground"),
        required=False,
        max_length=MAX_REASON_LENGTH,
        help_text=_("Required for a refusal or for leaving the appeal without consideration."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    signature = signature_field()  # the official's EDS over the answer's text, by the page's script


class FeedbackForm(KeepsTypedText, forms.Form):
    resolution = forms.ChoiceField(
        label=_("Did the answer solve your problem?"), choices=Resolution.choices, widget=forms.RadioSelect
    )
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you? (1 = not at all, 5 = fully)"),
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=MAX_REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawForm(KeepsTypedText, forms.Form):
    # Required: the body and, if the applicant asks again, whoever reads the record should know why it ended.
    reason = forms.CharField(
        label=_("Why do you withdraw it?"), max_length=MAX_REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class ComplaintForm(KeepsTypedText, forms.Form):
    text = forms.CharField(
        label=_("What is wrong with the answer?"), max_length=MAX_TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = MultipleFileField(
        label=_("Attachments"), required=False, widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})
    )


ANONYMOUS_ONLY = _(
    "Anonymous appeals are considered only when they report a crime or a threat to public safety: choose "
    "which, or sign in to write an ordinary appeal."
)


class AnonymousReportForm(KeepsTypedText, forms.Form):
    """A report without an account: only of a crime or a threat to public safety (APPC)."""

    ground = forms.ChoiceField(
        label=_("What are you reporting?"),
        choices=AnonymousGround.choices,
        widget=forms.RadioSelect,
        error_messages={"required": ANONYMOUS_ONLY, "invalid_choice": ANONYMOUS_ONLY},
    )
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT_LENGTH)
    text = forms.CharField(
        label=_("What happened, where and when"), max_length=MAX_TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 10})
    )
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("name_en"), to_field_name="iso_code")
    body = forms.ModelChoiceField(label=_("To the head of"), queryset=Body.objects.none(), to_field_name="slug")
    confirmed = forms.BooleanField(
        label=_(
            "I am reporting a crime or a threat to public safety. I understand that other anonymous appeals are not considered."
        ),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies_for_choice()


class ScreenReportForm(KeepsTypedText, forms.Form):
    """A moderator's decision on one anonymous report. On the queue each report's form has its own prefix (r<pk>), so
    that what was typed for one report, kept across a switch of language or a confirmation, goes back to that one."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("register", _("Register it: it reports a crime or a threat to public safety")),
            ("refuse", _("Refuse it")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason (required to refuse; the sender reads it)"),
        required=False,
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        # Checked here, not only by the service: a refusal without its reason must not reach the confirmation page.
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", gettext("Write why it is refused: the sender reads this reason."))
        return data


class StaffNotificationsForm(forms.Form):
    each_appeal = forms.BooleanField(
        label=_("An email for each appeal assigned to my body (registered or redirected to it)"), required=False
    )
    daily_digest = forms.BooleanField(
        label=_("A daily digest of my body's appeals due within three working days and overdue"), required=False
    )
