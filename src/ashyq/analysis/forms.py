from django import forms
from django.utils.translation import gettext_lazy as _

from .appeal_labels import choices
from .models import Task

FIELD_LABELS = {Task.CAUSE: _("Cause"), Task.SECTOR: _("Criticised sector")}


class LabelForm(forms.Form):
    """Confirm or correct one task's label. The one field is named after the task, so the service's
    ValidationError ({task: message}) lands beside it; which values are allowed is the service's rule."""

    def __init__(self, *args, task: str, **kwargs):
        kwargs.setdefault("auto_id", f"id_label-{task}-%s")
        super().__init__(*args, **kwargs)
        self.task = task
        self.fields[task] = forms.CharField(
            label=FIELD_LABELS[task],
            max_length=100,
            widget=forms.Select(choices=[("", "—")] + choices(task)),
        )

    @property
    def value(self) -> str:
        return self.cleaned_data[self.task]
