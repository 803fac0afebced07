"""Score the active classifier of a task on a labelled CSV it has not seen.

    manage.py evaluate_classifier --task cause --test FILE.csv --text-column text --label-column cause

Prints JSON: top-1 and top-3 accuracy, macro-F1 and weighted-F1. For routing, --first-body-column names
the body each appeal was first sent to; the report then says how many redirects the top suggestion
would have saved (appeals first sent elsewhere whose final body is the first suggestion).
"""
import json
import time

from django.core.management.base import BaseCommand, CommandError

from ashyq.analysis import classifier, services
from ashyq.analysis.labelled_csv import read_labelled
from ashyq.analysis.models import Task
from ashyq.bodies.models import Body


class Command(BaseCommand):
    help = "Evaluate the active classifier of a task on a labelled CSV; prints JSON metrics."

    def add_arguments(self, parser):
        parser.add_argument("--task", required=True, choices=Task.values)
        parser.add_argument("--test", required=True, help="labelled CSV (UTF-8)")
        parser.add_argument("--text-column", default="text")
        parser.add_argument("--label-column", default="label")
        parser.add_argument("--first-body-column", help="routing only: the body each appeal was first sent to")

    def handle(self, *args, task, test, text_column, label_column, first_body_column, **options):
        model_id, pipeline = services.active_model(task)
        if pipeline is None:
            raise CommandError(f"no {task} model has been trained yet; run train_classifier --task {task} first")
        extra = (first_body_column,) if first_body_column else ()
        texts, labels, extras = read_labelled(test, text_column, label_column, extra)
        started = time.perf_counter()
        if task == Task.ROUTING:
            kinds = dict(Body.objects.values_list("slug", "kind"))
            labels = [services.routing_label(lab, kinds.get(lab, "")) for lab in labels]
        result = {"task": task, "model_id": model_id, **classifier.evaluate(pipeline, texts, labels)}
        if task == Task.ROUTING and first_body_column:
            first = [services.routing_label(e[first_body_column], kinds.get(e[first_body_column], "")) for e in extras]
            result.update(classifier.redirects_saved(pipeline, texts, labels, first))
        result["seconds"] = round(time.perf_counter() - started, 2)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
