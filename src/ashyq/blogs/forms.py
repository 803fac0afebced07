"""Forms of the blog and conference pages. They parse; the services enforce every rule."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ashyq.core.models import Region
from ashyq.dialogue.services import MAX_SUBJECT_LENGTH, MAX_TEXT_LENGTH

from . import services

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _title(label):
    return forms.CharField(label=label, required=False, max_length=services.MAX_TITLE_LENGTH)


def _text(label, limit, rows):
    return forms.CharField(label=label, required=False, max_length=limit, widget=forms.Textarea(attrs={"rows": rows}))


TEXT_HELP = _(
    "Write in one, two or all three languages; readers see their own language first. Plain text or Markdown: "
    "**bold**, *italic*, [link](https://...), lists. HTML is shown as typed, never run."
)


class PostForm(forms.Form):
    title_kk = _title(_("Title in Kazakh"))
    text_kk = _text(_("Text in Kazakh"), services.MAX_POST_LENGTH, 10)
    title_ru = _title(_("Title in Russian"))
    text_ru = _text(_("Text in Russian"), services.MAX_POST_LENGTH, 10)
    title_en = _title(_("Title in English"))
    text_en = _text(_("Text in English"), services.MAX_POST_LENGTH, 10)
    accepts_questions = forms.BooleanField(label=_("Readers may ask me questions under this post"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text_kk"].help_text = TEXT_HELP


class ConferenceForm(forms.Form):
    title_kk = _title(_("Title in Kazakh"))
    title_ru = _title(_("Title in Russian"))
    title_en = _title(_("Title in English"))
    description_kk = _text(_("What it is about, in Kazakh"), services.MAX_DESCRIPTION_LENGTH, 4)
    description_ru = _text(_("What it is about, in Russian"), services.MAX_DESCRIPTION_LENGTH, 4)
    description_en = _text(_("What it is about, in English"), services.MAX_DESCRIPTION_LENGTH, 4)
    starts_at = forms.DateTimeField(label=_("Starts at (Astana time)"), widget=WHEN)
    duration_minutes = forms.IntegerField(
        label=_("Duration, minutes"), initial=60, min_value=services.MIN_DURATION, max_value=services.MAX_DURATION
    )
    questions_open_at = forms.DateTimeField(label=_("Questions taken from"), widget=WHEN)
    questions_close_at = forms.DateTimeField(
        label=_("Questions taken until"), widget=WHEN, help_text=_("No later than the conference starts.")
    )
    # A CharField, not a URLField: the service says what is wrong with a link (https only, no password, the services
    # the operator allows) in one place for the pages and any other caller.
    video_url = forms.CharField(
        label=_("Link to the video"),
        max_length=500,
        help_text=_("An https link to the broadcast on Jitsi, BigBlueButton or another service. Ashyq does not host video."),
    )
    recording_url = forms.CharField(
        label=_("Link to the recording (after the conference)"), max_length=500, required=False, help_text=_("https only.")
    )


class QuestionForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT_LENGTH)
    text = forms.CharField(label=_("Your question"), max_length=MAX_TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 6}))
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.order_by("name_en"), to_field_name="iso_code")
    is_public = forms.BooleanField(
        label=_("Publish my question and its answer after moderation"),
        required=False,
        initial=True,
        help_text=_("Personal data are removed before publication. A private question is answered to you only."),
    )
    show_name = forms.BooleanField(
        label=_("Show my full name on the public question instead of a pseudonym"),
        required=False,
        help_text=_("Only for a public question. Otherwise the public sees a pseudonym, such as Applicant 7KQ2M9."),
    )


class DelegateForm(forms.Form):
    """The head names an official of their body to write the blog in the head's name."""

    # The choices are the officials' own names (often usernames in Latin letters): translate="no", as for an appeal's
    # executor, keeps browsers' page translators from rewriting them.
    official = forms.ModelChoiceField(
        label=_("Official"),
        queryset=None,
        empty_label=_("Choose an official"),
        widget=forms.Select(attrs={"translate": "no"}),
    )

    def __init__(self, *args, officials, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["official"].queryset = officials
        self.fields["official"].label_from_instance = lambda user: user.display_name
