"""Rebuild an appeal's analysis rows (models.AppealAnalysis) from its record and current labels.

Where the appeal went and how each stay ended come from the dialogue's route (AppealStay, kept with each step):
one indexed read of a few narrow rows per appeal, never a replay of its events. The answer's words are read only
when they decide the handling (a resolving answer: investigation or merits). The monthly summary the reports read
(summary.py) changes in the same transaction as the rows.
"""

from django.db import transaction

from ashyq.dialogue.models import Answer, Appeal, AppealStay

from . import summary
from .handling import needs_answer_text, stays
from .models import AppealAnalysis, Label, Source, Task
from .text import detect_language

# What the analysis reads of each stay.
ROUTE_FIELDS = ("appeal_id", "seq", "body_id", "received_on", "ending", "outcome")


def route_of(appeal_ids) -> dict[int, list[AppealStay]]:
    """{appeal_id: its stays in order}, in one query over the (appeal, seq) index."""
    result: dict[int, list[AppealStay]] = {}
    for stay in AppealStay.objects.filter(appeal_id__in=appeal_ids).order_by("appeal_id", "seq").only(*ROUTE_FIELDS):
        result.setdefault(stay.appeal_id, []).append(stay)
    return result


def answer_texts(routes: dict[int, list]) -> dict[int, str]:
    """{appeal_id: the answer's text} for the appeals whose handling the answer's words decide."""
    ids = [appeal_id for appeal_id, route in routes.items() if needs_answer_text(route)]
    if not ids:
        return {}
    return dict(Answer.objects.filter(appeal_id__in=ids).values_list("appeal_id", "text"))


def current_labels(appeal_ids) -> dict[int, dict[str, tuple[str, bool]]]:
    """{appeal_id: {task: (value, confirmed by a person)}}: a person's newest label, else the model's newest."""
    result: dict[int, dict[str, tuple[str, bool]]] = {}
    rows = (
        Label.objects.filter(appeal_id__in=appeal_ids, task__in=(Task.CAUSE, Task.SECTOR))
        .order_by("appeal_id", "task", "set_at", "pk")
        .values_list("appeal_id", "task", "value", "source")
    )
    for appeal_id, task, value, source in rows:
        person = source != Source.MODEL
        slot = result.setdefault(appeal_id, {})
        if person or not slot.get(task, ("", False))[1]:
            slot[task] = (value, person)
    return result


def rows_for(appeal: Appeal, route, answer_text: str, labels: dict[str, tuple[str, bool]], language: str) -> list[AppealAnalysis]:
    cause, cause_confirmed = labels.get(Task.CAUSE, ("", False))
    sector, sector_confirmed = labels.get(Task.SECTOR, ("", False))
    published = appeal.is_published
    by_body: dict[int, AppealAnalysis] = {}
    for stay in stays(route, answer_text):
        # An appeal that comes back to a body it left counts once there, with the last handling.
        by_body[stay.body_id] = AppealAnalysis(
            appeal_id=appeal.pk,
            body_id=stay.body_id,
            month=stay.received_on.replace(day=1),
            region_id=appeal.region_id,
            channel=appeal.channel,
            language=language,
            cause=cause,
            cause_confirmed=cause_confirmed,
            sector=sector,
            sector_confirmed=sector_confirmed,
            handling=stay.handling,
            redirected_to_id=stay.redirected_to_id,
            published=published,
        )
    result = list(by_body.values())
    if result:
        for row in result:
            row.final = False
        by_body[appeal.body_id if appeal.body_id in by_body else result[-1].body_id].final = True
    return result


def refresh_appeals(appeal_ids) -> int:
    """Rebuild the rows of these appeals from their records and labels, and bring the monthly summary along (their old
    rows' counts out, the new rows' in: summary.apply), in one transaction. The appeals are locked first, in id order:
    two refreshes of one appeal would otherwise both take its old rows' counts out of the summary. Returns the number
    of appeals."""
    ids = sorted(set(appeal_ids))
    with transaction.atomic():
        appeals = list(Appeal.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        ids = [a.pk for a in appeals]
        routes = route_of(ids)
        texts = answer_texts(routes)
        labels = current_labels(ids)
        rows = []
        for appeal in appeals:
            rows += rows_for(
                appeal,
                routes.get(appeal.pk, []),
                texts.get(appeal.pk, ""),
                labels.get(appeal.pk, {}),
                detect_language(f"{appeal.subject} {appeal.text}"),
            )
        kept = AppealAnalysis.objects.filter(appeal_id__in=ids)
        old = list(kept.values_list(*summary.ROW_FIELDS))
        kept.delete()
        AppealAnalysis.objects.bulk_create(rows, batch_size=1000)
        summary.apply(old, [summary.row_tuple(r) for r in rows])
    return len(ids)


def refresh_appeal(appeal_id: int) -> None:
    refresh_appeals([appeal_id])


def refresh_all(batch: int = 2000, progress=None) -> int:
    """Rebuild every appeal's rows in batches (`manage.py analyse_appeals`), each batch with its change to the
    summary; returns the number of appeals."""
    done = 0
    last = 0
    while True:
        ids = list(Appeal.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return done
        refresh_appeals(ids)
        done += len(ids)
        last = ids[-1]
        if progress:
            progress(done)
