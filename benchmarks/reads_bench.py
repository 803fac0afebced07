"""Two reads that no cache serves, in this process, against an existing (generated) database:

- the public search of the benchmark's 16 words (benchdata/vocabulary.SEARCH_TERMS) plus one very common word,
  as a signed-in reader, whom the page cache never serves (so every answer is computed);
- the official's inbox with closed appeals (`/appeals/inbox/?closed=1`) of the body with the most open appeals;

each request interleaved with the trivial view (/bench/trivial, the full middleware and nothing else) so that the
ratio to it is measured under the same load. Django's test client runs the whole request (middleware, session,
templates) without a server or a network. Prints p50/p95 in ms, the ratio of each p50 to the trivial view's and
the load average before and after; `--profile NAME` runs cProfile over that line instead and prints the top
functions.

    DATABASE_URL=postgres://... DJANGO_SETTINGS_MODULE=ashyq.benchdata.settings \\
        .venv/bin/python benchmarks/reads_bench.py [--rounds 5] [--profile search|inbox]

Only reads: the one write is the session of the two signed-in users (a row each in the session table).
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "benchmarks")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ashyq.benchdata.settings")

import django  # noqa: E402

django.setup()

import run  # noqa: E402
from django.test import Client  # noqa: E402

from ashyq.benchdata import vocabulary  # noqa: E402

COMMON = "мектеп"  # the most frequent word of the generated texts: about a quarter of the published appeals


def clients():
    reader = run.bench_monitor()
    official, _ = run.busiest_official()
    signed_in, staff = Client(), Client()
    signed_in.force_login(reader)
    staff.force_login(official)
    return signed_in, staff


def lines(signed_in, staff):
    anonymous = Client()
    words = [*vocabulary.SEARCH_TERMS, COMMON]
    return {
        "trivial": lambda i: anonymous.get("/bench/trivial"),
        "search": lambda i: signed_in.get("/appeals/public/", {"q": words[i % len(words)]}),
        "search-common": lambda i: signed_in.get("/appeals/public/", {"q": COMMON}),
        "inbox": lambda i: staff.get("/appeals/inbox/", {"closed": "1"}),
    }


def timed(call, i):
    start = time.perf_counter()
    response = call(i)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="requests per line = rounds x 17")
    parser.add_argument("--profile", choices=["search", "search-common", "inbox"])
    args = parser.parse_args()
    calls = lines(*clients())
    for call in calls.values():  # warm the caches of the process and the database once
        timed(call, 0)
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for i in range(17 * args.rounds):
            calls[args.profile](i)
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(int(os.environ.get("PROFILE_LINES", "45")))
        return
    load_before = os.getloadavg()
    times = {name: [] for name in calls}
    for i in range(17 * args.rounds):
        for name, call in calls.items():
            times[name].append(timed(call, i))
    load_after = os.getloadavg()
    trivial = statistics.median(times["trivial"])
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}; {17 * args.rounds} requests a line")
    print(f"{'line':<16} {'p50 ms':>8} {'p95 ms':>8} {'p50 x trivial':>14}")
    for name, values in times.items():
        values.sort()
        p50, p95 = statistics.median(values), values[int(0.95 * (len(values) - 1))]
        print(f"{name:<16} {p50:8.1f} {p95:8.1f} {p50 / trivial:14.1f}")


if __name__ == "__main__":
    main()
