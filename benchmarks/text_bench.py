"""What reading real text costs (issue 15), in this process, with no database:

- redaction of one appeal (find_personal_data on subject + text): rules alone, and rules with the NER
  model (moderation/ner.py), plus the model's one-off load per process;
- the search keys of one appeal (dialogue/search.document_fields: what one moderation write adds);
- one routing/cause suggestion from a trained model (analysis/classifier.py), after the model is loaded;
- training the routing model on 2,000 appeals (the starter corpus, repeated with its rows shuffled when
  it is smaller).

Texts are the appeals of analysis/data/starter-corpus.csv and the Russian and Kazakh complaints of
tests/data/kzgovdata. Run from the project root:

    .venv/bin/python benchmarks/text_bench.py

It prints medians and p95 in milliseconds and writes benchmarks/results/text-latest.json.
"""

import csv
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ashyq.settings")

import django

django.setup()

from ashyq.analysis import classifier
from ashyq.dialogue import search
from ashyq.moderation import ner, redaction

STARTER = ROOT / "src" / "ashyq" / "analysis" / "data" / "starter-corpus.csv"
KZGOVDATA = ROOT / "tests" / "data" / "kzgovdata" / "data.csv"


def texts():
    with STARTER.open(encoding="utf-8") as f:
        starter = list(csv.DictReader(f))
    with KZGOVDATA.open(encoding="utf-8") as f:
        kz = list(csv.DictReader(f))
    return starter, [r["text_ru"] for r in kz[:150]] + [r["text_kz"] for r in kz[:150]]


def timed(fn, items):
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t) * 1000)
    out.sort()
    return {"n": len(out), "median_ms": round(statistics.median(out), 2), "p95_ms": round(out[int(0.95 * (len(out) - 1))], 2)}


def main():
    starter, complaints = texts()
    appeals = [f"{r.get('subject', '')}\n{r['text']}" for r in starter][:300] + complaints
    results = {}
    os.environ["ASHYQ_REDACTION_NER"] = "0"
    redaction.find_personal_data("прогрев")
    results["redaction, rules alone"] = timed(redaction.find_personal_data, appeals)
    os.environ["ASHYQ_REDACTION_NER"] = "1"
    t = time.perf_counter()
    ner.model()
    results["NER model load (once per process)"] = {"ms": round((time.perf_counter() - t) * 1000)}
    results["redaction, rules + NER"] = timed(redaction.find_personal_data, appeals)
    results["search keys of one appeal"] = timed(lambda a: search.document_fields("", a, ""), appeals)

    rng = random.Random(15)
    rows = [r for r in starter if r.get("body")]
    train = (rows * (2000 // len(rows) + 1))[:2000]
    rng.shuffle(train)
    t = time.perf_counter()
    model = classifier.train([r["text"] for r in train], [r["body"] for r in train])
    results["train routing on 2,000 appeals"] = {"s": round(time.perf_counter() - t, 1)}
    results["one suggestion (top 3)"] = timed(lambda a: classifier.suggest(model, a, k=3), appeals)
    for name, value in results.items():
        print(f"{name:40} {value}")
    out = ROOT / "benchmarks" / "results" / "text-latest.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
