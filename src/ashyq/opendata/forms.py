"""Publishers' forms: a dataset's description, a new resource (a file or a link), a new version of a file.

Forms only parse and check what a person typed; the services decide and change (services.py)."""

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ashyq.bodies.models import Body
from ashyq.core.language_draft import KeepsTypedText

from . import ingest
from .models import Frequency, Licence, Resource, Withdrawal

MAX_TAGS, MAX_TAG_LENGTH = 20, 50
# Kazakh and Russian letters in Latin, for an identifier made from a title (the address stays ASCII).
_CYRILLIC_TO_LATIN = str.maketrans(
    {
        "а": "a",
        "ә": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "ғ": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "i",
        "і": "i",
        "к": "k",
        "қ": "q",
        "л": "l",
        "м": "m",
        "н": "n",
        "ң": "n",
        "о": "o",
        "ө": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ұ": "u",
        "ү": "u",
        "ф": "f",
        "х": "kh",
        "һ": "h",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "iu",
        "я": "ia",
    }
)


def latin(text: str) -> str:
    return text.lower().translate(_CYRILLIC_TO_LATIN)


EXTENSIONS = {"CSV": (".csv", ".txt"), "XLSX": (".xlsx",), "JSON": (".json",)}
ACCEPT = {
    "CSV": ".csv,text/csv",
    "XLSX": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "JSON": ".json,application/json",
}


def _file_help():
    return gettext("CSV (UTF-8), XLSX (values, not formulas) or JSON (a list of flat records); at most %(limit)s.") % {
        "limit": filesizeformat(ingest.max_bytes())
    }


def _check_file(upload, fmt):
    """The size limit and the file's kind, before a byte is read: a clear message instead of a failed validation."""
    if upload.size > ingest.max_bytes():
        raise forms.ValidationError(
            gettext(
                "The file is %(size)s; the limit is %(limit)s. Split the data into several resources, for example one a year."
            )
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(ingest.max_bytes())},
            code="too_large",
        )
    name = (upload.name or "").lower()
    known = {ext: f for f, exts in EXTENSIONS.items() for ext in exts}
    extension = next((ext for ext in known if name.endswith(ext)), None)
    if extension and known[extension] != fmt:
        raise forms.ValidationError(
            gettext("The file is %(found)s, but the format chosen is %(chosen)s: choose %(found)s, or upload a %(chosen)s file.")
            % {"found": known[extension], "chosen": fmt},
            code="wrong_format",
        )


class GroupedForm(forms.Form):
    """A form shown as fieldsets, each a legend and its fields (see opendata/_form.html)."""

    groups: list = []

    def fieldsets(self):
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in self.groups]


class DatasetForm(GroupedForm):
    body = forms.ModelChoiceField(label=_("Publishing body"), queryset=Body.objects.none(), to_field_name="slug")
    slug = forms.SlugField(
        label=_("Identifier in the address"),
        max_length=100,
        required=False,
        help_text=_(
            "Lowercase Latin letters, digits and hyphens, as in /data/datasets/budget-2024/. Left empty, it is made "
            "from the title. It cannot be changed later."
        ),
    )
    title_kk = forms.CharField(
        label=_("Title in Kazakh"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"lang": "kk"}),
        help_text=_(
            "The title in Kazakh, in Russian or in both is required; where one is missing, the catalogue shows the other."
        ),
    )
    title_ru = forms.CharField(
        label=_("Title in Russian"), max_length=255, required=False, widget=forms.TextInput(attrs={"lang": "ru"})
    )
    title_en = forms.CharField(
        label=_("Title in English"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"lang": "en"}),
        help_text=_("Optional."),
    )
    description_kk = forms.CharField(
        label=_("Description in Kazakh"), required=False, widget=forms.Textarea(attrs={"rows": 4, "lang": "kk"})
    )
    description_ru = forms.CharField(
        label=_("Description in Russian"), required=False, widget=forms.Textarea(attrs={"rows": 4, "lang": "ru"})
    )
    description_en = forms.CharField(
        label=_("Description in English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "en"}),
        help_text=_("What the data is, how it was collected and what a row means."),
    )
    licence = forms.ChoiceField(label=_("Licence"), required=False, choices=[("", _("not stated"))] + Licence.choices)
    temporal_start = forms.DateField(
        label=_("Period covered: first day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    temporal_end = forms.DateField(
        label=_("Period covered: last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty if the data is still being added to."),
    )
    spatial = forms.CharField(
        label=_("Places covered"),
        max_length=255,
        required=False,
        help_text=_("Countries or regions, separated by semicolons, for example: Kazakhstan; Almaty region"),
    )
    frequency = forms.ChoiceField(
        label=_("Update frequency"), required=False, choices=[("", _("not stated"))] + Frequency.choices
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=MAX_TAGS * (MAX_TAG_LENGTH + 2),
        help_text=_("Words a reader would search for, separated by commas, for example: trade, exports"),
    )
    source = forms.CharField(
        label=_("Source"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Where the data comes from: a register, a survey, a document"),
    )
    documentation_url = forms.URLField(
        label=_("Documentation (link)"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url"}),
    )

    groups = [
        (_("Publisher and identifier"), ["body", "slug"]),
        (_("Title and description"), ["title_kk", "title_ru", "title_en", "description_kk", "description_ru", "description_en"]),
        (_("Licence and coverage"), ["licence", "temporal_start", "temporal_end", "spatial", "frequency"]),
        (_("Tags, source and documentation"), ["tags", "source", "documentation_url"]),
    ]

    def __init__(self, *args, bodies=None, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["slug"]
        if creating and bodies is not None and bodies.count() > 1:
            self.fields["body"].queryset = bodies
        else:
            # One body (an official's own) or editing: the body is not chosen here.
            del self.fields["body"]

    def clean_tags(self):
        tags = []
        for tag in self.cleaned_data["tags"].split(","):
            tag = " ".join(tag.split())
            if not tag or tag.lower() in (t.lower() for t in tags):
                continue
            if len(tag) > MAX_TAG_LENGTH:
                raise forms.ValidationError(
                    gettext("A tag is at most %(n)d characters: %(tag)s") % {"n": MAX_TAG_LENGTH, "tag": tag[:60]}
                )
            tags.append(tag)
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(gettext("At most %(n)d tags.") % {"n": MAX_TAGS})
        return tags

    def clean(self):
        data = super().clean()
        if not (data.get("title_kk", "").strip() or data.get("title_ru", "").strip()) and "title_kk" not in self.errors:
            self.add_error("title_kk", gettext("Give the title in Kazakh or in Russian (or both); English is optional."))
        title = data.get("title_en") or data.get("title_ru") or data.get("title_kk")
        if "slug" in self.fields and not data.get("slug") and title and "slug" not in self.errors:
            data["slug"] = slugify(latin(title))[:100].strip("-")
            if not data["slug"]:
                self.add_error("slug", gettext("Give an identifier: the title has no letters or digits to make one from."))
        start, end = data.get("temporal_start"), data.get("temporal_end")
        if start and end and end < start:
            self.add_error("temporal_end", gettext("The last day is before the first day."))
        return data

    def dataset_fields(self) -> dict:
        """The cleaned values the services take (no body, no identifier)."""
        from .services import DATASET_FIELDS

        return {name: value for name, value in self.cleaned_data.items() if name in DATASET_FIELDS}

    @classmethod
    def initial_for(cls, dataset) -> dict:
        from .services import DATASET_FIELDS

        initial = {name: getattr(dataset, name) for name in DATASET_FIELDS}
        initial["tags"] = ", ".join(dataset.tags or [])
        return initial


class ResourceForm(GroupedForm):
    name = forms.CharField(label=_("Resource name"), max_length=255, help_text=_("For example: Exports by country, 2019"))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    format = forms.ChoiceField(label=_("Format"), choices=Resource.Format.choices)
    file = forms.FileField(label=_("File to upload"), required=False)
    url = forms.URLField(
        label=_("Or a link to the file on another site"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url"}),
        help_text=_("Only if the file is not uploaded here: https://… Links are checked every night."),
    )

    groups = [
        (_("The resource"), ["name", "description", "format"]),
        (_("The data: a file or a link"), ["file", "url"]),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()
        self.fields["file"].widget.attrs["data-max-bytes"] = ingest.max_bytes()  # said in the browser first (site.js)

    def clean(self):
        data = super().clean()
        upload, url = data.get("file"), data.get("url")
        if "file" in self.errors or "url" in self.errors:
            return data
        if upload and url:
            self.add_error("url", gettext("Give a file or a link, not both."))
        elif not upload and not url:
            self.add_error("file", gettext("Choose a file to upload, or give a link below."))
        elif upload and data.get("format"):
            try:
                _check_file(upload, data["format"])
            except forms.ValidationError as error:
                self.add_error("file", error)
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    new_schema = forms.BooleanField(
        label=_("The structure changes on purpose: accept new column types"),
        required=False,
        help_text=_(
            "Leave unticked: a column keeps the type it has in the version served now (numbers stay numbers, "
            "dates stay dates), and a cell that does not fit is reported with its row and column."
        ),
    )

    def __init__(self, *args, resource, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource
        self.fields["file"].widget.attrs["data-max-bytes"] = ingest.max_bytes()  # said in the browser first (site.js)
        self.fields["file"].help_text = _file_help()
        self.fields["file"].widget.attrs["accept"] = ACCEPT[resource.format]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        _check_file(upload, self.resource.format)
        return upload


class WithdrawForm(KeepsTypedText, forms.Form):
    """Why a dataset, a resource or a version is withdrawn (services.withdraw decides and checks again). What was chosen
    and typed survives a switch of language without a script (core/language_draft.py), from this page and from its
    confirmation."""

    reason = forms.ChoiceField(label=_("Why is it withdrawn?"), choices=Withdrawal.Reason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Required for another reason. Shown on the dataset's page with the reason, except when the reason is "
            "personal data: then only your body's staff and the administrators read it. Do not repeat the personal "
            "data here."
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == Withdrawal.Reason.OTHER and not data.get("note", "").strip():
            self.add_error("note", gettext('Say why the data is withdrawn: the reason chosen is "another reason".'))
        return data
