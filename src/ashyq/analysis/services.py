"""State changes of the content analysis: labels, trained models and the derived rows reports read.

Each change runs in one transaction and checks who may make it. A label is its own append-only record
(who, when, which model or person), so the history of a label is the list of its rows.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ashyq.accounts.models import Role
from ashyq.bodies.models import Body, Topic
from ashyq.dialogue import permissions
from ashyq.dialogue.models import Appeal

from . import refresh, sectors
from .models import LABELLED_TASKS, Cause, ClassifierModel, Label, Source, Task

log = logging.getLogger("ashyq.analysis")

_loaded: dict[str, tuple[tuple, object]] = {}


def can_label(user, appeal: Appeal) -> bool:
    """Officials and heads of a body that held the appeal, moderators and administrators."""
    if not user.is_authenticated:
        return False
    if user.role in (Role.MODERATOR, Role.ADMIN):
        return True
    return permissions.handled_by_users_body(user, appeal)


def allowed_values(task: str) -> set[str]:
    if task == Task.CAUSE:
        return set(Cause.objects.filter(active=True).values_list("slug", flat=True))
    if task == Task.SECTOR:
        return set(Topic.objects.values_list("slug", flat=True))
    if task == Task.ROUTING:
        return set(Body.objects.filter(accepts_appeals=True).values_list("slug", flat=True))
    raise ValueError(task)


def set_label(actor, appeal: Appeal, task: str, value: str) -> Label:
    """A person confirms or corrects the cause or sector of an appeal; the model learns from these."""
    appeal = Appeal.objects.get(pk=appeal.pk)  # who may label depends on where the appeal is now
    if not can_label(actor, appeal):
        raise PermissionDenied(_("Only the bodies that handled this appeal and moderators may label it."))
    if task not in LABELLED_TASKS:
        raise ValidationError({"task": _("Choose one of: %(v)s.") % {"v": ", ".join(LABELLED_TASKS)}})
    value = (value or "").strip()
    if value not in allowed_values(task):
        raise ValidationError({task: _("Choose one of the listed values.")})
    with transaction.atomic():
        label = Label.objects.create(
            appeal=appeal, task=task, value=value, source=Source.PERSON, set_by=actor, set_at=timezone.now()
        )
        refresh.refresh_appeal(appeal.pk)
    return label


def active_model(task: str):
    """The newest active model of a task, loaded once per process and reloaded when a newer one is trained."""
    from . import classifier  # scikit-learn loads only when a model is used, not at every start

    row = (
        ClassifierModel.objects.filter(task=task, active=True)
        .order_by("-created_at", "-pk")
        .values_list("pk", "created_at")
        .first()
    )
    if row is None:
        return None, None
    cached = _loaded.get(task)
    # Keyed by id and training time: an id alone may be reused after a model is deleted.
    if cached and cached[0] == row:
        return row[0], cached[1]
    pipeline = classifier.loads(ClassifierModel.objects.values_list("blob", flat=True).get(pk=row[0]))
    _loaded[task] = (row, pipeline)
    return row[0], pipeline


def save_model(task: str, pipeline, *, trained_on: str, labels: list[str], metrics: dict | None = None) -> ClassifierModel:
    """Store a trained model as the task's active one; earlier models stay, inactive, for rollback."""
    from . import classifier  # scikit-learn loads only when a model is used, not at every start

    if task not in Task.values:
        raise ValueError(task)
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    with transaction.atomic():
        ClassifierModel.objects.filter(task=task, active=True).update(active=False)
        return ClassifierModel.objects.create(
            task=task,
            created_at=timezone.now(),
            trained_on=trained_on[:255],
            samples=len(labels),
            classes=classifier.classes(pipeline),
            class_counts=counts,
            metrics=metrics or {},
            blob=classifier.dumps(pipeline),
            active=True,
        )


def classify_appeal(appeal_id: int) -> list[Label]:
    """Suggest the cause and sector of a new appeal with the active models (classify_appeals for one appeal);
    returns the suggestions added."""
    return classify_appeals([appeal_id]).get(appeal_id, [])


def classify_appeals(appeal_ids) -> dict[int, list[Label]]:
    """Suggest the cause and sector of new appeals with the active models and rebuild their rows (the worker's
    batch of classification tasks: the models and the allowed values are read once for the batch). A person's
    label is never overwritten, and a task the models already suggested is not suggested again (the background
    task may run twice); without a model, the sector named in the text (sectors.py) is suggested. Returns
    {appeal id: the suggestions added}."""
    appeals = list(Appeal.objects.filter(pk__in=set(appeal_ids)).order_by("pk").only("pk", "subject", "text"))
    ids = [a.pk for a in appeals]
    labelled = _labelled_tasks(ids)
    # The models are read only for a task some appeal still needs (a task run again finds its labels there).
    needed = [task for task in LABELLED_TASKS if any(task not in labelled.get(i, ()) for i in ids)]
    models = {task: active_model(task) for task in needed}
    if any(pipeline is not None for _, pipeline in models.values()):
        from . import classifier  # scikit-learn loads only when a model is used, not for appeals already labelled
    allowed = {task: allowed_values(task) for task in needed if models[task][1] is not None}
    now = timezone.now()
    suggested = []
    for appeal in appeals:
        text = f"{appeal.subject}\n{appeal.text}"
        for task in LABELLED_TASKS:
            if task in labelled.get(appeal.pk, ()):
                continue
            model_id, pipeline = models[task]
            value, score = None, None
            if pipeline is not None:
                top = classifier.suggest(pipeline, text, k=3, allowed=allowed[task])
                if task == Task.SECTOR:
                    top = sectors.prefer_named(top, text)
                if top:
                    value, score = top[0].value, top[0].score
            elif task == Task.SECTOR:
                named = sectors.named_sectors(text)
                value = named[0] if named else None
            if value:
                suggested.append(
                    Label(
                        appeal_id=appeal.pk,
                        task=task,
                        value=value,
                        source=Source.MODEL,
                        score=score,
                        model_id=model_id,
                        set_at=now,
                    )
                )
    with transaction.atomic():
        # Under the appeals' locks, again: a second run that classified meanwhile has added its suggestions.
        list(Appeal.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        done = _labelled_tasks(ids)
        created = [label for label in suggested if label.task not in done.get(label.appeal_id, ())]
        Label.objects.bulk_create(created)
        refresh.refresh_appeals(ids)
    added: dict[int, list[Label]] = {}
    for label in created:
        added.setdefault(label.appeal_id, []).append(label)
    return added


def _labelled_tasks(appeal_ids) -> dict[int, set[str]]:
    """{appeal id: the tasks it already has a person's label or a model's suggestion for}."""
    result: dict[int, set[str]] = {}
    rows = Label.objects.filter(appeal_id__in=appeal_ids, source__in=(Source.PERSON, Source.MODEL)).values_list(
        "appeal_id", "task"
    )
    for appeal_id, task in rows:
        result.setdefault(appeal_id, set()).add(task)
    return result


def training_data(task: str) -> tuple[list[str], list[str]]:
    """Labelled examples from this installation: people's labels for cause and sector; for routing, the
    body that finally answered each appeal (after any redirects)."""
    if task == Task.ROUTING:
        rows = list(Appeal.objects.filter(status="answered").values_list("subject", "text", "body__slug", "body__kind"))
        return [f"{s}\n{t}" for s, t, _, _ in rows], [routing_label(slug, kind) for _, _, slug, kind in rows]
    current: dict[int, str] = {}
    for appeal_id, value in (
        Label.objects.filter(task=task, source__in=(Source.PERSON, Source.IMPORT))
        .order_by("appeal_id", "set_at", "pk")
        .values_list("appeal_id", "value")
    ):
        current[appeal_id] = value
    texts = {pk: f"{s}\n{t}" for pk, s, t in Appeal.objects.filter(pk__in=list(current)).values_list("pk", "subject", "text")}
    ids = sorted(current)
    return [texts[i] for i in ids], [current[i] for i in ids]


# Routing learns "a local akimat" rather than each region's akimat (too few examples each); the
# applicant's region then names which one (routing.py).
AKIMAT_LABEL = "@akimat"


def routing_label(body_slug: str, body_kind: str) -> str:
    return AKIMAT_LABEL if body_kind == Body.Kind.AKIMAT else body_slug
