"""What reading real text costs (issue 15), in this process, with no database:

- redaction of one appeal (find_personal_data on subject + text): rules alone, and rules with the NER
  model (moderation/ner.py), plus the model's one-off load per process;
- the search keys of one appeal (dialogue/search.document_fields: what one moderation write adds);
- one routing/cause suggestion from a trained model (analysis/classifier.py), after the model is loaded;
- training the routing model on 2,000 appeals, two ways: the starter corpus's long appeals repeated with
  their rows shuffled (625 distinct texts, 34 bodies), and 2,000 distinct texts (the corpus's routed
  appeals, then KZgovData's short Russian and Kazakh complaints labelled with their sector). Long texts
  cost more per row, distinct texts grow the vocabulary: neither alone is a real regional portal's mix.

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
    return starter, kz


def training_rows(starter, kz, size=2000):
    """(text, label) pairs with distinct texts: the corpus's routed appeals first, then the complaints."""
    pairs = [(r["text"], r["body"]) for r in starter if r.get("body")]
    pairs += [(r[column], r["category"]) for r in kz for column in ("text_ru", "text_kz") if r.get(column)]
    seen, rows = set(), []
    for text, label in pairs:
        if text.strip() and text not in seen:
            seen.add(text)
            rows.append((text, label))
    if len(rows) < size:
        raise SystemExit(f"only {len(rows)} distinct texts, {size} needed")
    return rows[:size]


def timed(fn, items):
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t) * 1000)
    out.sort()
    return {"n": len(out), "median_ms": round(statistics.median(out), 2), "p95_ms": round(out[int(0.95 * (len(out) - 1))], 2)}


def main():
    starter, kz = texts()
    complaints = [r["text_ru"] for r in kz[:150]] + [r["text_kz"] for r in kz[:150]]
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
    routed = [(r["text"], r["body"]) for r in starter if r.get("body")]
    repeated = (routed * (2000 // len(routed) + 1))[:2000]
    for name, train in (
        ("train routing on 2,000 appeals (corpus repeated)", repeated),
        ("train routing on 2,000 distinct appeals", training_rows(starter, kz)),
    ):
        rng.shuffle(train)
        t = time.perf_counter()
        model = classifier.train([text for text, _ in train], [label for _, label in train])
        results[name] = {
            "s": round(time.perf_counter() - t, 1),
            "distinct texts": len({text for text, _ in train}),
            "classes": len({label for _, label in train}),
        }
    results["one suggestion (top 3)"] = timed(lambda a: classifier.suggest(model, a, k=3), appeals)
    for name, value in results.items():
        print(f"{name:40} {value}")
    out = ROOT / "benchmarks" / "results" / "text-latest.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
