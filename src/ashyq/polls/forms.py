"""The forms of the poll pages: a new poll (a fixed number of question slots, so the page needs no script) and a
ballot built from the poll's questions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ashyq.core.identity import Level

from .models import QuestionKind
from .services import MAX_CHOICE, MAX_DESCRIPTION, MAX_QUESTION, MAX_TITLE, minimum_level

QUESTION_SLOTS = 5
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class PollForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    description = forms.CharField(
        label=_("What the poll is about"), required=False, max_length=MAX_DESCRIPTION, widget=forms.Textarea(attrs={"rows": 4})
    )
    opens_at = forms.DateTimeField(label=_("Opens at"), input_formats=DATETIME_FORMATS, widget=DATETIME_INPUT)
    closes_at = forms.DateTimeField(
        label=_("Closes at"),
        input_formats=DATETIME_FORMATS,
        widget=DATETIME_INPUT,
        help_text=_("Results stay hidden from everyone, your body included, until the poll closes."),
    )
    min_level = forms.TypedChoiceField(label=_("Least level of verification of voters"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        floor = minimum_level()
        self.fields["min_level"].choices = [(level.value, level.label) for level in Level if level >= floor]
        self.fields["min_level"].initial = int(floor)
        for i in range(1, QUESTION_SLOTS + 1):
            self.fields[f"question_{i}"] = forms.CharField(
                label=_("Question %(n)d") % {"n": i}, required=False, max_length=MAX_QUESTION
            )
            self.fields[f"kind_{i}"] = forms.ChoiceField(
                label=_("Answers to question %(n)d") % {"n": i}, choices=QuestionKind.choices, initial=QuestionKind.SINGLE
            )
            self.fields[f"choices_{i}"] = forms.CharField(
                label=_("Possible answers to question %(n)d, one per line") % {"n": i},
                required=False,
                max_length=MAX_CHOICE * 20 + 40,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        self.fields["question_1"].help_text = _("Leave the questions you do not need empty.")

    def questions(self) -> list[dict]:
        data = self.cleaned_data
        out = []
        for i in range(1, QUESTION_SLOTS + 1):
            text, lines = data.get(f"question_{i}", ""), (data.get(f"choices_{i}") or "").splitlines()
            if text.strip() or any(line.strip() for line in lines):
                out.append({"text": text, "kind": data.get(f"kind_{i}"), "choices": lines, "slot": i})
        return out


class BallotForm(forms.Form):
    """One field per question: radio buttons for one answer, checkboxes for several."""

    def __init__(self, poll, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll_questions = list(poll.questions.prefetch_related("choices"))
        for q in self.poll_questions:
            choices = [(c.pk, c.text) for c in q.choices.all()]
            if q.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=q.text, choices=choices, widget=forms.CheckboxSelectMultiple, help_text=_("Choose one or more.")
                )
            else:
                field = forms.ChoiceField(label=q.text, choices=choices, widget=forms.RadioSelect, help_text=_("Choose one."))
            self.fields[f"question_{q.pk}"] = field

    def answers(self) -> dict:
        out = {}
        for q in self.poll_questions:
            value = self.cleaned_data.get(f"question_{q.pk}")
            out[q.pk] = value if isinstance(value, list) else ([value] if value else [])
        return out
