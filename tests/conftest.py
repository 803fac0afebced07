"""Shared fixtures: reference data, one user per role, and a clock that stands on a chosen day."""

import datetime as dt
import importlib

import hypothesis
import pytest
from django.apps import apps as django_apps
from django.core.cache import cache, caches
from django.db.models.signals import post_migrate
from django.utils import timezone, translation

from ashyq.accounts.models import ApiToken, Role, User
from ashyq.analysis.models import Cause
from ashyq.bodies.models import Body
from ashyq.bodies.reference_data import load_reference_data
from ashyq.core import clock
from ashyq.core import reference as reference_rows
from ashyq.core.models import Region
from ashyq.dialogue.models import Regulation
from ashyq.legalacts.models import DiscussionRule

PASSWORD = "correct-horse-battery-42"

# Property tests check behaviour, never speed (benchmarks do): no per-example deadline, which a loaded CI
# machine would turn into failures that say nothing about the code.
hypothesis.settings.register_profile("ashyq", deadline=None)
hypothesis.settings.load_profile("ashyq")


def pytest_collection_modifyitems(config, items):
    # A test that serves HTTP through Django's live server is marked `server` without having to say so, so that
    # `make test-fast` (-m "not browser and not postgres and not server") leaves out every slow kind at once.
    for item in items:
        if {"live_server", "server"} & set(getattr(item, "fixturenames", ())):  # "server": a local HTTP server fixture
            item.add_marker(pytest.mark.server)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    # Assertions read English messages; the Kazakh and Russian pages are tested in test_i18n.py.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _page_cache_of_this_test(settings):
    # The public pages' cache (core/pagecache.py) lives in this process's memory during tests, never in the files
    # other test processes share, and each test starts with it empty.
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
    }
    caches["pages"].clear()
    # The reference rows a process keeps (core/reference.py): a test's rows are rolled back with it.
    reference_rows.forget()
    yield
    caches["pages"].clear()
    reference_rows.forget()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate limits count in the cache; each test starts with none used.
    cache.clear()
    yield
    cache.clear()


SEEDED_BY_MIGRATIONS = [
    (Regulation, "ashyq.dialogue.migrations.0002_regulation_appc", "create_appc_regulation"),
    (Cause, "ashyq.analysis.migrations.0002_study_causes", "seed"),
    (DiscussionRule, "ashyq.legalacts.migrations.0002_default_rule", "create_default_rule"),
]


def _reseed_after_flush(sender, using, **kwargs):
    """A transactional test ends by flushing every table, then Django sends post_migrate: the rows the data
    migrations seed (the APPC regulation, the study's causes, the discussion rule) are made again here, committed,
    so that no later test's result depends on whether a transactional test ran before it in the same worker."""
    for model, module, function in SEEDED_BY_MIGRATIONS:
        if not model.objects.using(using).exists():
            getattr(importlib.import_module(module), function)(django_apps, None)


# Sent once per app after a flush; the analysis app's one is enough (dispatch_uid: conftest may be imported twice).
post_migrate.connect(_reseed_after_flush, sender=django_apps.get_app_config("analysis"), dispatch_uid="ashyq-tests-reseed")


@pytest.fixture
def reference(db):
    """Regions and bodies (the rows seeded by data migrations are there: see _reseed_after_flush)."""
    if not Body.objects.exists():
        load_reference_data()
    return {"bodies": {b.slug: b for b in Body.objects.all()}, "regions": {r.iso_code: r for r in Region.objects.all()}}


@pytest.fixture
def bodies(reference):
    return reference["bodies"]


@pytest.fixture
def regions(reference):
    return reference["regions"]


@pytest.fixture
def make_user(db):
    counter = {"n": 0}

    def make(role=Role.APPLICANT, body=None, username=None, **extra):
        counter["n"] += 1
        username = username or f"{role}-{counter['n']}"
        extra.setdefault("email", f"{username}@example.kz")
        user = User(username=username, role=role, body=body, language="en", **extra)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def people(make_user, bodies):
    """One user per role and ownership the rules distinguish."""
    acc, gpo = bodies["anti-corruption-agency"], bodies["general-prosecutors-office"]
    return {
        "applicant": make_user(Role.APPLICANT, username="citizen"),
        "other_applicant": make_user(Role.APPLICANT, username="neighbour"),
        "official": make_user(Role.OFFICIAL, acc, username="acc-official"),
        "head": make_user(Role.HEAD, acc, username="acc-head"),
        "other_official": make_user(Role.OFFICIAL, gpo, username="gpo-official"),
        "other_head": make_user(Role.HEAD, gpo, username="gpo-head"),
        "moderator": make_user(Role.MODERATOR, username="moderator"),
        "monitor": make_user(Role.MONITOR, username="monitor"),
        "admin": make_user(Role.ADMIN, username="administrator", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def token_for(db):
    def issue(user):
        return ApiToken.issue(user)[1]

    return issue


@pytest.fixture
def at():
    """Run the code inside `with at(date):` as if it were 10:00 on that day in Kazakhstan."""

    def frozen(day: dt.date, hour: int = 10):
        return clock.frozen_at(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0))))

    return frozen


@pytest.fixture
def submit(bodies, regions):
    """Submit an appeal through the service with sensible defaults."""
    from ashyq.dialogue import services

    def do(applicant, body="anti-corruption-agency", **fields):
        values = {
            "type": "report",
            "subject": "Bribe demanded for a permit",
            "text": "An official asked for money.",
            "region": regions["KZ-75"],
        }
        values.update(fields)
        return services.submit_appeal(applicant, body=bodies[body] if isinstance(body, str) else body, **values)

    return do


@pytest.fixture(autouse=True)
def _budget_sources_read_once(monkeypatch):
    """The budget's source tables are the same shipped files in every test: parse them once per run (the import's
    own work after parsing is what the budget tests check)."""
    from ashyq.budget import source

    original = _BUDGET_READS.setdefault("read_all", source.read_all)

    def cached(directory=None, months=None):
        if directory is not None:
            return original(directory, months)
        key = tuple(sorted(months or ()))
        if key not in _BUDGET_READS:
            _BUDGET_READS[key] = original(None, months)
        return _BUDGET_READS[key]

    monkeypatch.setattr(source, "read_all", cached)


_BUDGET_READS: dict = {}


class _Queue:
    """`run_queue()` runs the queue's due tasks now and returns how many ran; `with run_queue:` runs them when
    the block ends (after the steps inside it)."""

    def __call__(self, limit=None):
        from ashyq.core.tasks import run_ready_tasks

        return run_ready_tasks(limit=limit)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self()


@pytest.fixture
def run_queue(db):
    """Runs the background queue's due tasks here and now (core.tasks.run_ready_tasks), as the worker would once
    the step committed: tests that need the figures, analysis rows or emails a step leads to run it after the
    step, instead of relying on on_commit."""
    return _Queue()
