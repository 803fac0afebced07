from django import forms
from django.utils.translation import gettext_lazy as _

from ashyq.core.language_draft import KeepsTypedText

from .models import Field, RedactionKind, RefusalReason, ReportReason, Target
from .services import MAX_COMMENT_LENGTH, MAX_FRAGMENT_LENGTH, MAX_NOTE_LENGTH

# The item page's steps (add, approve, refuse; restore, keep) are one <form> (moderation/item.html): each form is
# made with its step's prefix (add-fragment, refuse-note), and starts from what was typed before a switch of language.


class AddRedactionForm(KeepsTypedText, forms.Form):
    field = forms.ChoiceField(label=_("Where"), choices=Field.choices)
    fragment = forms.CharField(
        label=_("Words to redact"),
        max_length=MAX_FRAGMENT_LENGTH,
        help_text=_("Type them as they appear in the original; every occurrence is redacted."),
    )
    kind = forms.ChoiceField(label=_("Kind of personal data"), choices=RedactionKind.choices, initial=RedactionKind.OTHER)

    def __init__(self, *args, fields=None, **kwargs):
        """`fields`: the item's texts as (name, label) pairs (selectors.fields_of and field_label)."""
        super().__init__(*args, **kwargs)
        if fields is not None:
            self.fields["field"].choices = list(fields)


class ApproveForm(KeepsTypedText, forms.Form):
    attachments = forms.TypedMultipleChoiceField(
        label=_("Attachments the public may see"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Check each file only if it shows no personal data."),
    )

    def __init__(self, *args, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].choices = [(a.pk, a.original_name) for a in attachments]
        if not attachments:
            del self.fields["attachments"]


class RefuseForm(KeepsTypedText, forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=RefusalReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_NOTE_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))


class RestoreForm(KeepsTypedText, forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_NOTE_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))


class ReportForm(forms.Form):
    target = forms.ChoiceField(
        label=_("What do you report?"), choices=[(Target.APPEAL, _("the appeal")), (Target.ANSWER, _("the answer"))]
    )
    reason = forms.ChoiceField(label=_("Why?"), choices=ReportReason.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=MAX_COMMENT_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, answer_published=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not answer_published:
            self.fields["target"].choices = [(Target.APPEAL, _("the appeal"))]
