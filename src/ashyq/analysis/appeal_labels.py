"""What the content analysis says about one appeal, as those who may label it see it: the current cause and
sector (and whether a model or a person set them), the language, how each body handled it, and every label
row, newest first. The label panel of the appeal page and the labels API both read it from here."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ashyq.bodies.models import Body, Topic
from ashyq.dialogue import presenters

from . import refresh
from .models import LABELLED_TASKS, AppealAnalysis, Cause, ClassifierModel, Label, Language, Source, Task
from .services import AKIMAT_LABEL
from .text import detect_language


@dataclass
class ShownLabel:
    label: Label
    task: str
    value: str
    # The value's name in the page's language (the slug itself when the value is no longer listed).
    name: str
    source: str
    score: float | None
    model_id: int | None
    model_created_at: object
    # Who set it, as the viewer may see people: a name for those on the case, else the person's role.
    set_by: str | None
    set_at: object

    @property
    def by_person(self) -> bool:
        return self.source != Source.MODEL


@dataclass
class AppealLabels:
    current: dict[str, ShownLabel | None]
    language: str
    language_name: str
    handling: list[AppealAnalysis]
    history: list[ShownLabel] = field(default_factory=list)

    @property
    def cause(self):
        return self.current.get(Task.CAUSE)

    @property
    def sector(self):
        return self.current.get(Task.SECTOR)


def value_names(task: str) -> dict[str, str]:
    """{value: name in the active language} for a task's values."""
    if task == Task.CAUSE:
        return {c.slug: c.name for c in Cause.objects.all()}
    if task == Task.SECTOR:
        return {t.slug: t.name for t in Topic.objects.all()}
    if task == Task.ROUTING:
        return {b.slug: b.name for b in Body.objects.all()} | {AKIMAT_LABEL: _("a local akimat")}
    return {}


def choices(task: str) -> list[tuple[str, str]]:
    """The values a person may choose for a task, by their localized names: active causes in the study's
    order, sectors alphabetically in the page's language."""
    if task == Task.CAUSE:
        return [(c.slug, c.name) for c in Cause.objects.filter(active=True)]
    if task == Task.SECTOR:
        return sorted(((t.slug, t.name) for t in Topic.objects.all()), key=lambda pair: pair[1].casefold())
    raise ValueError(task)


def _who(label: Label, viewer, appeal) -> str | None:
    if label.source == Source.MODEL:
        return None
    if label.set_by_id is None:
        return _("imported") if label.source == Source.IMPORT else None
    if presenters.sees_people(viewer, appeal):
        return label.set_by.display_name
    # Like the record's actors: people on the case are named, anyone else sees only the role.
    return label.set_by.get_role_display()


def current_of(rows: list[Label]) -> dict[str, Label | None]:
    """A person's newest label of each task, else the model's newest (the rule of refresh.current_labels)."""
    result: dict[str, Label | None] = dict.fromkeys(LABELLED_TASKS)
    for label in sorted(rows, key=lambda r: (r.set_at, r.pk)):
        if label.task not in result:
            continue
        held = result[label.task]
        if label.source != Source.MODEL or held is None or held.source == Source.MODEL:
            result[label.task] = label
    return result


def _handling(appeal, language: str) -> list[AppealAnalysis]:
    rows = list(AppealAnalysis.objects.filter(appeal=appeal).select_related("body", "redirected_to").order_by("pk"))
    if rows:
        return rows
    # Not derived yet (the refresh runs after the step's transaction commits): derive it now, unsaved.
    routes = refresh.route_of([appeal.pk])
    rows = refresh.rows_for(appeal, routes.get(appeal.pk, []), refresh.answer_texts(routes).get(appeal.pk, ""), {}, language)
    bodies = Body.objects.in_bulk({r.body_id for r in rows} | {r.redirected_to_id for r in rows if r.redirected_to_id})
    for row in rows:
        row.body = bodies[row.body_id]
        row.redirected_to = bodies.get(row.redirected_to_id)
    return rows


def labels_of(appeal, viewer) -> AppealLabels:
    rows = list(Label.objects.filter(appeal=appeal).select_related("set_by").order_by("-set_at", "-pk"))
    names = {task: value_names(task) for task in {r.task for r in rows}}
    # Only the dates of the models: their stored pipelines are large and not needed here.
    trained = dict(
        ClassifierModel.objects.filter(pk__in={r.model_id for r in rows if r.model_id}).values_list("pk", "created_at")
    )

    def shown(label: Label) -> ShownLabel:
        return ShownLabel(
            label=label,
            task=label.task,
            value=label.value,
            name=names.get(label.task, {}).get(label.value, label.value),
            source=label.source,
            score=label.score,
            model_id=label.model_id,
            model_created_at=trained.get(label.model_id),
            set_by=_who(label, viewer, appeal),
            set_at=label.set_at,
        )

    stored = AppealAnalysis.objects.filter(appeal=appeal).values_list("language", flat=True).first()
    language = stored or detect_language(f"{appeal.subject} {appeal.text}")
    return AppealLabels(
        current={task: shown(label) if label else None for task, label in current_of(rows).items()},
        language=language,
        language_name=str(Language(language).label) if language in Language.values else language,
        handling=_handling(appeal, language),
        history=[shown(label) for label in rows],
    )
