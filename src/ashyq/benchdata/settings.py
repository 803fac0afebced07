"""Settings for benchmark runs (benchmarks/run.py): the project's settings plus a bench-only URL conf.

Only the URL conf differs, so every page is measured with the real middleware, templates and
database settings; the extra /bench/trivial view is the baseline each figure is compared to.
"""

from ashyq.settings import *  # noqa: F401,F403

ROOT_URLCONF = "ashyq.benchdata.urls"
