"""Train a classifier of appeals and make it the active one for its task.

    manage.py train_classifier --task cause --train FILE.csv --text-column text --label-column cause
    manage.py train_classifier --task routing            # from this installation's own records

Without --train, it learns from the installation: people's labels for cause and sector, and the body that
finally answered each appeal for routing. Prints a JSON summary (rows, classes, seconds, cross-validated
scores with --cross-validate K).
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from ashyq.analysis import classifier, services, starter
from ashyq.analysis.labelled_csv import read_labelled
from ashyq.analysis.models import Task
from ashyq.bodies.models import Body


class Command(BaseCommand):
    help = "Train the cause, sector or routing classifier from a labelled CSV or from the installation's records."

    def add_arguments(self, parser):
        parser.add_argument("--task", required=True, choices=Task.values)
        parser.add_argument("--train", help="labelled CSV (UTF-8); without it, learn from the database")
        parser.add_argument("--text-column", default="text")
        parser.add_argument("--label-column", default="label")
        parser.add_argument(
            "--with-starter-corpus", action="store_true", help="add the demo's synthetic starter corpus to the training rows"
        )
        parser.add_argument(
            "--first-body-column",
            help="routing with --cross-validate: the body each appeal was "
            "first sent to, to count the redirects the suggestions would have saved",
        )
        parser.add_argument(
            "--cross-validate", type=int, default=0, metavar="K", help="also report K-fold cross-validated scores (K >= 2)"
        )

    def handle(
        self, *args, task, train, text_column, label_column, cross_validate, with_starter_corpus, first_body_column, **options
    ):
        started = time.perf_counter()
        if first_body_column and (task != Task.ROUTING or not train or not cross_validate or with_starter_corpus):
            raise CommandError(
                "--first-body-column needs --task routing, --train FILE.csv and --cross-validate K "
                "(without --with-starter-corpus)"
            )
        if cross_validate and cross_validate < 2:
            raise CommandError("--cross-validate needs at least 2 folds")
        if train:
            texts, labels, extras = read_labelled(
                train, text_column, label_column, (first_body_column,) if first_body_column else ()
            )
            source = f"file {train.rsplit('/', 1)[-1]} ({text_column} → {label_column})"
            if task == Task.ROUTING:
                kinds = dict(Body.objects.values_list("slug", "kind"))
                labels = [services.routing_label(lab, kinds.get(lab, "")) for lab in labels]
                if first_body_column:
                    first = [services.routing_label(e[first_body_column], kinds.get(e[first_body_column], "")) for e in extras]
        else:
            texts, labels = services.training_data(task)
            source = "this installation's records"
            if not texts and not with_starter_corpus:
                raise CommandError(f"no labelled {task} data in the database yet; pass --train FILE.csv or --with-starter-corpus")
        if with_starter_corpus:
            extra_texts, extra_labels = starter.training_rows(task)
            texts, labels = texts + extra_texts, labels + extra_labels
            source += " + the starter corpus"
        metrics = {}
        try:
            if cross_validate:
                metrics = classifier.cross_validate(
                    texts, labels, folds=cross_validate, first=first if first_body_column else None
                )
            pipeline = classifier.train(texts, labels)
        except classifier.TrainingError as exc:
            raise CommandError(str(exc)) from None
        model = services.save_model(task, pipeline, trained_on=source, labels=labels, metrics=metrics)
        summary = {
            "task": task,
            "model_id": model.pk,
            "rows": len(texts),
            "classes": len(model.classes),
            "trained_on": source,
            "seconds": round(time.perf_counter() - started, 2),
        }
        if metrics:
            summary["cross_validation"] = metrics
        self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
