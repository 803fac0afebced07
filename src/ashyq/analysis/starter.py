"""The starter corpus (data/starter-corpus.csv): appeals written for the demo in Kazakh, Russian and
English, synthetic and said to be so, labelled with cause, sector and the competent body. It lets a new
installation suggest something on its first day; people's confirmed labels then take over."""

import csv
from pathlib import Path

from ashyq.bodies.models import Body

from .models import Task

CORPUS = Path(__file__).resolve().parent / "data" / "starter-corpus.csv"
COLUMN = {Task.CAUSE: "cause", Task.SECTOR: "sector", Task.ROUTING: "body"}


def rows() -> list[dict]:
    if not CORPUS.exists():
        return []
    with CORPUS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def training_rows(task: str) -> tuple[list[str], list[str]]:
    from .services import routing_label

    corpus = rows()
    if task == Task.ROUTING:
        kinds = dict(Body.objects.values_list("slug", "kind"))
        labels = [routing_label(r["body"], kinds.get(r["body"], "")) for r in corpus]
    else:
        labels = [r[COLUMN[task]] for r in corpus]
    return [r["text"] for r in corpus], labels
