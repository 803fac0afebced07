"""Forms of the discussion pages. The services enforce every rule; forms only parse."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ashyq.bodies.models import Body
from ashyq.core.language_draft import KeepsTypedText

from . import structure
from .models import ActType, Decision, Phase

MAX_UPLOAD = structure.MAX_SOURCE_BYTES


class FilterForm(forms.Form):
    body = forms.ModelChoiceField(Body.objects.order_by("name_en"), to_field_name="slug", required=False, label=_("State body"))
    act_type = forms.ChoiceField(choices=[("", _("Any type"))] + list(ActType.choices), required=False, label=_("Type of act"))
    phase = forms.ChoiceField(choices=[("", _("Any status"))] + list(Phase.choices), required=False, label=_("Status"))


def _source(field_label):
    return forms.FileField(
        required=False,
        label=field_label,
        widget=forms.ClearableFileInput(attrs={"data-max-bytes": structure.MAX_SOURCE_BYTES}),
        help_text=_("DOCX, Markdown or plain text, at most 5 MB. Type the numbers of chapters, articles and points in the text."),
    )


class DraftForm(forms.Form):
    act_type = forms.ChoiceField(choices=ActType.choices, label=_("Type of act"))
    title_kk = forms.CharField(max_length=500, label=_("Title in Kazakh"))
    title_ru = forms.CharField(max_length=500, label=_("Title in Russian"))
    title_en = forms.CharField(max_length=500, required=False, label=_("Title in English"))
    source_kk = _source(_("Kazakh text as a file"))
    text_kk = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}), label=_("or the Kazakh text"))
    source_ru = _source(_("Russian text as a file"))
    text_ru = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}), label=_("or the Russian text"))
    text_en = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label=_("English text (optional)"))
    opens_on = forms.DateField(label=_("Discussion opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Last day for comments"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        data["source_format"] = "markdown"
        for lang in ("kk", "ru"):
            upload = data.get(f"source_{lang}")
            if upload:
                if upload.size > MAX_UPLOAD:
                    self.add_error(f"source_{lang}", _("The file is larger than 5 MB."))
                    continue
                try:
                    data[f"text_{lang}"], data["source_format"] = structure.read_source(upload.read(), upload.name)
                except ValidationError as exc:
                    self.add_error(f"source_{lang}", exc.message_dict.get("source", exc.messages))
            elif not (data.get(f"text_{lang}") or "").strip():
                self.add_error(f"text_{lang}", _("Upload a file or paste the text."))
        return data


class VersionForm(forms.Form):
    source_kk = _source(_("Kazakh text as a file"))
    text_kk = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}), label=_("or the Kazakh text"))
    source_ru = _source(_("Russian text as a file"))
    text_ru = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}), label=_("or the Russian text"))
    text_en = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label=_("English text (optional)"))
    note = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label=_("What changed"))

    clean = DraftForm.clean


class CommentForm(KeepsTypedText, forms.Form):
    provision = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    quote = forms.CharField(
        required=False,
        max_length=1000,
        label=_("Quoted words (optional)"),
        help_text=_("Copy the words of the point your comment is about."),
    )
    text = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Your comment"),
        help_text=_("Published after moderation under your pseudonym; personal data is removed."),
    )


class ReplyForm(forms.Form):
    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Reply"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, label=_("Decision"))
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason"))


class AbuseForm(forms.Form):
    reason = forms.CharField(max_length=5000, label=_("What is wrong with this comment"))


class ModerationForm(forms.Form):
    public_text = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), label=_("Public copy")
    )


class ExtendForm(forms.Form):
    closes_on = forms.DateField(label=_("New last day for comments"), widget=forms.DateInput(attrs={"type": "date"}))


class ReportForm(forms.Form):
    summary = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), label=_("Summary of the report")
    )


class AdoptForm(forms.Form):
    number = forms.CharField(max_length=60, label=_("Number of the act"))
    adopted_on = forms.DateField(label=_("Adopted on"), widget=forms.DateInput(attrs={"type": "date"}))
    registration_number = forms.CharField(max_length=60, required=False, label=_("State registration number"))
    registered_on = forms.DateField(required=False, label=_("Registered on"), widget=forms.DateInput(attrs={"type": "date"}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason for withdrawal"))
