"""Score a classifier on labelled rows it has not seen, beside the plain baseline.

    # the active model of a task on a held-out CSV
    manage.py evaluate_classifier --task cause --test FILE.csv --text-column text --label-column cause
    # Ashyq's model and the plain TF-IDF + linear SVM, both trained here on the same rows, scored on the same test
    manage.py evaluate_classifier --task sector --train TRAIN.csv --test TEST.csv --label-column sector
    # one file split here by distinct text (a duplicate never sits on both sides); several text columns
    # (a complaint in Kazakh and in Russian) are each a row, kept on the side of their first column's text
    manage.py evaluate_classifier --task sector --data data.csv --text-column text_ru,text_kz --label-column category

Prints JSON: top-1 and top-3 accuracy, macro-F1, weighted-F1 and the expected calibration error, for Ashyq's
model and, when it trains here, for the baseline. For routing, --first-body-column names the body each appeal
was first sent to; the report then says how many redirects the top suggestion would have saved.
"""

import json
import random
import time

from django.core.management.base import BaseCommand, CommandError

from ashyq.analysis import classifier, services
from ashyq.analysis.labelled_csv import read_labelled
from ashyq.analysis.models import Task
from ashyq.bodies.models import Body


def read_rows(path, text_columns, label_column, extra=()):
    """(texts, labels, extras, group) with one row per text column; group is the row's first text."""
    texts, labels, extras, groups = [], [], [], []
    for column in text_columns:
        t, lab, ex = read_labelled(path, column, label_column, (*extra, text_columns[0]))
        texts += t
        labels += lab
        extras += ex
        groups += [e[text_columns[0]] for e in ex]
    return texts, labels, extras, groups


def split_by_text(groups, share, seed):
    distinct = sorted(set(groups))
    random.Random(seed).shuffle(distinct)
    test = set(distinct[: max(1, int(len(distinct) * share))])
    return [i for i, g in enumerate(groups) if g not in test], [i for i, g in enumerate(groups) if g in test]


class Command(BaseCommand):
    help = "Evaluate a classifier on labelled rows it has not seen, beside the plain TF-IDF + linear SVM; prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--task", required=True, choices=Task.values)
        parser.add_argument("--test", help="labelled CSV (UTF-8) to score on")
        parser.add_argument("--train", help="labelled CSV to train Ashyq's model and the baseline on, here")
        parser.add_argument("--data", help="one labelled CSV to split here by distinct text into train and test")
        parser.add_argument("--test-share", type=float, default=0.3, help="with --data: the share of distinct texts held out")
        parser.add_argument("--seed", type=int, default=15)
        parser.add_argument("--text-column", default="text", help="one column, or several separated by commas")
        parser.add_argument("--label-column", default="label")
        parser.add_argument("--first-body-column", help="routing only: the body each appeal was first sent to")

    def handle(self, *args, task, test, train, data, test_share, seed, text_column, label_column, first_body_column, **options):
        columns = [c.strip() for c in text_column.split(",") if c.strip()]
        if not columns:
            raise CommandError("--text-column names no column")
        if data and (train or test):
            raise CommandError("give either --data (split here) or --test with an optional --train")
        if not data and not test:
            raise CommandError("give --test FILE (with --train FILE to train here) or --data FILE")
        if not 0 < test_share < 1:
            raise CommandError("--test-share must be between 0 and 1")
        extra = (first_body_column,) if first_body_column else ()
        kinds = dict(Body.objects.values_list("slug", "kind")) if task == Task.ROUTING else {}

        def routed(labels):
            return [services.routing_label(lab, kinds.get(lab, "")) for lab in labels] if task == Task.ROUTING else labels

        started = time.perf_counter()
        if data:
            texts, labels, extras, groups = read_rows(data, columns, label_column, extra)
            train_idx, test_idx = split_by_text(groups, test_share, seed)
            labels = routed(labels)
            split = {"train_rows": len(train_idx), "test_rows": len(test_idx), "distinct_texts": len(set(groups))}
            result = {
                "task": task,
                "data": data,
                **split,
                **classifier.compare_with_baseline(
                    [texts[i] for i in train_idx],
                    [labels[i] for i in train_idx],
                    [texts[i] for i in test_idx],
                    [labels[i] for i in test_idx],
                ),
            }
            test_texts, test_labels, test_extras = (
                [texts[i] for i in test_idx],
                [labels[i] for i in test_idx],
                [extras[i] for i in test_idx],
            )
            model = None
        else:
            test_texts, test_labels, test_extras, _ = read_rows(test, columns, label_column, extra)
            test_labels = routed(test_labels)
            if train:
                train_texts, train_labels, _, _ = read_rows(train, columns, label_column)
                result = {
                    "task": task,
                    "train": train,
                    "test": test,
                    **classifier.compare_with_baseline(train_texts, routed(train_labels), test_texts, test_labels),
                }
                model = None
            else:
                model_id, model = services.active_model(task)
                if model is None:
                    raise CommandError(f"no {task} model has been trained yet; run train_classifier --task {task} first")
                result = {
                    "task": task,
                    "model_id": model_id,
                    "ashyq": classifier.evaluate(model, test_texts, test_labels),
                    "baseline_tfidf_linearsvc": "give --train or --data to train the baseline on the same rows",
                }
        if task == Task.ROUTING and first_body_column and model is not None:
            first = routed([e[first_body_column] for e in test_extras])
            result["ashyq"].update(classifier.redirects_saved(model, test_texts, test_labels, first))
        result["seconds"] = round(time.perf_counter() - started, 2)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
