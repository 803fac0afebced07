"""Synthetic appeals at scale, for benchmarks and load tests (`manage.py generate_appeals N`).

Each appeal gets a plausible history written straight to the database: registered, sometimes
redirected, assigned, extended, answered on time or late, left overdue, withdrawn, rated by the
applicant, published and hidden by moderation. The rows are consistent by construction:

- the stored status, body, due date and executor are *computed* by `replay.replay()` over the
  events the generator wrote, so they always equal a replay;
- every event carries its hash chain, computed with `integrity.event_digest`;
- answers, feedback and the public-record columns exist exactly when their events do;
- deadlines follow the regulation and Kazakhstan's working-day calendar (core.calendar),
  precomputed once into a table instead of asked day by day;
- the content analysis's rows (analysis.AppealAnalysis, one per appeal and body that held it) are
  written with the appeal from its replayed stays (the AppealStay rows it also writes), each stay's
  handling named by analysis/handling.py, as the analysis's refresh does from the stored stays. Cause, sector and language are drawn (a second RNG seeded from the seed, so the
  appeals themselves do not change): plausibly for the subject, with the study's causes most often.

Nothing goes through the services (that would take hours at a million appeals): on PostgreSQL
the rows are streamed with COPY, elsewhere inserted with executemany. Ids are allocated in a
block and the sequences moved past it, so the application keeps working on the same database.
"""

import bisect
import datetime as dt
import functools
import io
import json
import queue
import random
import secrets
import threading
import time
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from ashyq.accounts.models import ALIAS_ALPHABET, Role, User
from ashyq.analysis import summary as analysis_summary
from ashyq.analysis.handling import stays
from ashyq.analysis.models import AppealAnalysis, MonthlyCount
from ashyq.bodies.models import Body, Topic
from ashyq.bodies.reference_data import load_reference_data
from ashyq.core import calendar, clock
from ashyq.core.models import Region
from ashyq.dialogue import deadlines, integrity, search
from ashyq.dialogue import stays as route
from ashyq.dialogue.models import (
    REASONED_KINDS,
    Answer,
    Appeal,
    AppealEvent,
    AppealStay,
    EventKind,
    Feedback,
    Outcome,
    PublicReason,
    SearchDocument,
)
from ashyq.dialogue.replay import replay
from ashyq.moderation import redaction

from . import vocabulary as V

TYPES = [("application", 35), ("complaint", 30), ("report", 10), ("feedback", 5), ("proposal", 10), ("request", 10)]
OUTCOMES = [
    (Outcome.RESOLVED.value, 35),
    (Outcome.EXPLAINED.value, 45),
    (Outcome.REFUSED.value, 12),
    (Outcome.LEFT_WITHOUT_CONSIDERATION.value, 8),
]
NEEDS_GROUND = {Outcome.REFUSED.value, Outcome.LEFT_WITHOUT_CONSIDERATION.value}

# Share of appeals taking each path (the rest are answered, ~85% of them on time).
P_REDIRECT, P_SECOND_REDIRECT, P_ASSIGN, P_EXTEND = 0.12, 0.05, 0.7, 0.05
P_WITHDRAW, P_STUCK, P_LATE, P_FEEDBACK = 0.03, 0.02, 0.15, 0.4
P_PUBLIC, P_PUBLISHED, P_ANSWER_PUBLISHED, P_HIDDEN = 0.2, 0.8, 0.7, 0.02

# The first appeals of every run take these paths, so even a small run covers them all.
COVER = [
    {},
    {"redirect": True},
    {"redirect": True, "second_redirect": True},
    {"extend": True},
    {"late": True},
    {"stuck": True},
    {"withdraw": True},
    {"public": True, "publish": True, "answer_published": True},
    {"public": True, "publish": True, "hide": True},
    {"public": True, "publish": False},
    {"feedback": True},
    {"fresh": True},
    {"fresh": True, "assign": True},
] + [{"outcome": o} for o, _ in OUTCOMES]

# The content analysis of generated appeals: for each subject of the vocabulary, the sector it criticises and
# its most likely cause; other causes follow the frequencies of the KazISS study (corruption first).
SUBJECT_FACTS = {
    "Ремонт дороги во дворе многоквартирного дома": ("roads-transport", "poor_work"),
    "Отсутствие уличного освещения в микрорайоне": ("local-services", "poor_work"),
    "Перебои с подачей холодной воды": ("water", "utilities"),
    "Отказ в постановке в очередь на жильё": ("housing", "state_support"),
    "Задержка выплаты пособия по уходу за ребёнком": ("labour", "red_tape"),
    "Нет мест в детском саду": ("education", "state_support"),
    "Вымогательство при получении разрешения на строительство": ("local-services", "corruption"),
    "Незаконная вырубка деревьев в парке": ("ecology", "abuse_of_authority"),
    "Жалоба на работу поликлиники": ("healthcare", "poor_work"),
    "Отказ в выдаче бесплатных лекарств": ("medicines", "state_support"),
    "Затягивание рассмотрения заявления о краже": ("law-enforcement", "red_tape"),
    "Незаконное выделение земельного участка": ("agriculture", "corruption"),
    "Высокие тарифы на отопление": ("utilities", "utilities"),
    "Просьба о ремонте школы": ("education", "proposal"),
    "Предложение открыть новый автобусный маршрут": ("roads-transport", "proposal"),
    "Задержка заработной платы на предприятии": ("labour", "other"),
    "Запрос о графике приёма граждан": ("civil-service", "other"),
    "Стихийная свалка возле жилого дома": ("ecology", "poor_work"),
    "Көшедегі жолды жөндеу туралы": ("roads-transport", "poor_work"),
    "Ауылда ауыз су жоқ": ("water", "utilities"),
    "Балабақшадан орын беру туралы өтініш": ("education", "state_support"),
    "Емханада дәрігер қабылдауы кешіктіріледі": ("healthcare", "red_tape"),
    "Жер учаскесін заңсыз бөлу туралы шағым": ("agriculture", "corruption"),
    "Зейнетақы төлемінің кешігуі": ("labour", "red_tape"),
    "Мектеп ғимаратын жөндеу туралы ұсыныс": ("education", "proposal"),
    "Көше жарығын орнату туралы": ("local-services", "poor_work"),
    "Әлеуметтік баспана кезегі туралы сұрау": ("housing", "state_support"),
    "Мемлекеттік сатып алудағы сыбайлас жемқорлық белгілері": ("economy-business", "corruption"),
    "Автобус қатынасын ашу туралы ұсыныс": ("roads-transport", "proposal"),
    "Жылу беру тарифінің көтерілуі": ("utilities", "utilities"),
}
STUDY_CAUSES = [
    ("corruption", 30),
    ("poor_work", 22),
    ("red_tape", 14),
    ("court_decision", 9),
    ("abuse_of_authority", 8),
    ("proposal", 5),
    ("state_support", 5),
    ("utilities", 4),
    ("other", 3),
]
LANGUAGES = [("ru", 52), ("kk", 30), ("mixed", 10), ("kk-latn", 3), ("en", 2), ("und", 3)]
P_SUBJECT_CAUSE, P_SUBJECT_SECTOR, P_UNCLASSIFIED, P_CONFIRMED = 0.55, 0.85, 0.04, 0.25

KIND = {k: k.value for k in EventKind}
REASONED = {k.value for k in REASONED_KINDS}
REASON_REVIEW_DELAY = dt.timedelta(hours=6)
MAX_EVENTS_PER_APPEAL = 12  # ids reserved per appeal; at most 10 are used


@functools.cache
def redact(text: str) -> str:
    # The texts come from a small vocabulary: redact each distinct one once.
    return redaction.redact(text)


def _reasons_decided(events) -> dict:
    """id(event) -> when a moderator approved its official's reason, as moderation.services.approve does: with the
    appeal for a reason written before publication, in a later REASONS_PUBLISHED step otherwise (the n-th such step
    approves the n-th later reason: they share one delay). A reason whose step lies after `now` still awaits."""
    published = next((e.at for e in events if e.kind == KIND[EventKind.PUBLISHED]), None)
    if published is None:
        return {}
    reasons = [e for e in events if e.kind in REASONED and e.reason]
    decided = {id(e): published for e in reasons if e.at <= published}
    steps = [e.at for e in events if e.kind == KIND[EventKind.REASONS_PUBLISHED]]
    decided.update((id(e), at) for e, at in zip([e for e in reasons if e.at > published], steps))
    return decided


class Event:
    """An AppealEvent before it is written: what integrity.event_digest and replay.replay read."""

    __slots__ = (
        "id",
        "appeal_id",
        "seq",
        "kind",
        "at",
        "actor_id",
        "from_body_id",
        "to_body_id",
        "reason",
        "data",
        "prev_hash",
        "hash",
    )

    def __init__(self, kind, at, actor_id=None, from_body_id=None, to_body_id=None, reason="", data=None):
        self.kind, self.at, self.actor_id = kind, at, actor_id
        self.from_body_id, self.to_body_id, self.reason, self.data = from_body_id, to_body_id, reason, data or {}


class WorkingDays:
    """Kazakhstan's working days over a range, asked once; add() equals calendar.add_working_days for n >= 1."""

    def __init__(self, first: dt.date, last: dt.date, country: str):
        self.days = []
        day = first
        while day <= last:
            if calendar.is_working_day(day, country):
                self.days.append(day)
            day += dt.timedelta(days=1)

    def add(self, start: dt.date, n: int) -> dt.date:
        return self.days[bisect.bisect_right(self.days, start) + n - 1]

    def between(self, start: dt.date, end: dt.date) -> int:
        return bisect.bisect_right(self.days, end) - bisect.bisect_right(self.days, start)

    def on_or_before(self, day: dt.date) -> dt.date:
        return self.days[bisect.bisect_right(self.days, day) - 1]


def _weighted(rng, pairs):
    values, weights = zip(*pairs)
    cum, total = [], 0
    for w in weights:
        total += w
        cum.append(total)
    return lambda: values[bisect.bisect_right(cum, rng.random() * total)]


# ------------------------------------------------------------------------------------------------
# Writing rows: COPY on PostgreSQL, executemany elsewhere.


def _columns(model, provided):
    """(field, column) for every concrete field we write: all but an auto pk we do not provide."""
    return [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in provided)]


class Writer:
    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    @staticmethod
    def _pg_converter(field):
        def esc(s):
            if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
                return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
            return s

        if isinstance(field, models.BooleanField):
            return lambda v: "t" if v else "f"
        if isinstance(field, models.JSONField):
            return lambda v: esc(json.dumps(v, ensure_ascii=False))
        if isinstance(field, (models.DateTimeField, models.DateField)):
            return lambda v: v.isoformat()
        if isinstance(field, (models.CharField, models.TextField)):
            return esc
        return str

    def _sqlite_converter(self, field):
        ops = connection.ops
        if isinstance(field, models.JSONField):
            return lambda v: None if v is None else json.dumps(v)
        if isinstance(field, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return lambda v: None if v is None else v.isoformat()
        return lambda v: v

    def write(self, model, rows: list[dict]):
        if not rows:
            return
        fields = _columns(model, rows[0].keys())
        defaults = [(f.attname, f) for f in fields if f.attname not in rows[0]]
        for row in rows:
            for attname, f in defaults:
                row[attname] = f.get_default()
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor:
            if self.postgres:
                convs = [(f.attname, self._pg_converter(f)) for f in fields]
                buf = io.StringIO()
                for row in rows:
                    buf.write("\t".join(["\\N" if (v := row[a]) is None else c(v) for a, c in convs]))
                    buf.write("\n")
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(buf.getvalue())
            else:
                convs = [(f.attname, self._sqlite_converter(f)) for f in fields]
                placeholders = ", ".join(["%s"] * len(fields))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", [[c(row[a]) for a, c in convs] for row in rows]
                )

    def next_ids(self, model, count: int) -> int:
        """Reserve `count` ids; returns the first. PostgreSQL's sequence is moved past the block."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
            first = cursor.fetchone()[0] + 1
            if self.postgres:
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1])
        return first

    def release_ids(self, model):
        """Give back the unused end of a reserved block: the sequence continues after the last id written."""
        if self.postgres:
            table = model._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {connection.ops.quote_name(table)}))",
                    [table],
                )

    def write_batch(self, batch):
        with transaction.atomic():
            for model, rows in batch:
                self.write(model, rows)


class BackgroundWriter:
    """Writes batches on its own connection while the next batch is generated (PostgreSQL waits on COPY)."""

    def __init__(self, writer: Writer):
        self.writer = writer
        self.queue = queue.Queue(maxsize=2)
        self.error = None
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        try:
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    self.writer.write_batch(batch)
        except BaseException as exc:  # reported to the generating thread
            self.error = exc
            while self.queue.get() is not None:
                pass
        finally:
            connection.close()

    def put(self, batch):
        if self.error:
            raise self.error
        self.queue.put(batch)

    def close(self):
        self.queue.put(None)
        self.thread.join()
        if self.error:
            raise self.error


# ------------------------------------------------------------------------------------------------


class Generator:
    def __init__(
        self,
        n: int,
        *,
        seed: int | None = None,
        span_days: int = 3 * 365,
        applicants: int | None = None,
        batch_size: int = 10_000,
        log=None,
    ):
        self.n = n
        self.rng = random.Random(seed)
        # A second stream for the analysis's drawn labels, so adding them left the generated appeals unchanged.
        self.analysis_rng = random.Random(f"analysis-{seed}") if seed is not None else random.Random()
        self.span_days = span_days
        self.applicant_count = applicants or max(20, n // 4)
        self.batch_size = batch_size
        self.log = log or (lambda message: None)
        self.writer = Writer()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.stats = {"appeals": 0, "events": 0, "answers": 0, "feedback": 0, "applicants": 0, "analysis_rows": 0}

    # -- reference and people -------------------------------------------------------------------

    def _prepare(self):
        if not Body.objects.exists():
            load_reference_data()
        self.now = clock.now()
        self.today = clock.today()
        self.regulation = deadlines.current_regulation(self.today)
        reg = self.regulation
        self.days = WorkingDays(
            self.today - dt.timedelta(days=self.span_days + 10), self.today + dt.timedelta(days=500), reg.calendar_country
        )
        rng = self.rng
        self.bodies = list(Body.objects.filter(accepts_appeals=True).select_related("region").order_by("pk"))
        # A few bodies get most appeals (as the police, big cities' akimats and the prosecutors do).
        ranked = self.bodies[:]
        random.Random(7).shuffle(ranked)
        self.pick_body = _weighted(rng, [(b, 1 / (i + 1) ** 0.9) for i, b in enumerate(ranked)])
        self.regions = list(Region.objects.order_by("pk"))
        self.pick_region = _weighted(rng, [(r, r.population or 100_000) for r in self.regions])
        self.pick_type = _weighted(rng, TYPES)
        self.pick_outcome = _weighted(rng, OUTCOMES)
        arng = self.analysis_rng
        self.pick_study_cause = _weighted(arng, STUDY_CAUSES)
        self.pick_language = _weighted(arng, LANGUAGES)
        self.topics = sorted(Topic.objects.values_list("slug", flat=True))
        self._staff()

    def _staff(self):
        """A head and three officials per body, and one moderator, shared by every run."""
        names = [(first, last) for first in V.FIRST_NAMES for last in V.LAST_NAMES]
        wanted = []
        for body in self.bodies:
            for k, role in enumerate([Role.HEAD, Role.OFFICIAL, Role.OFFICIAL, Role.OFFICIAL]):
                username = f"bench-{'head' if role == Role.HEAD else 'official'}-{body.pk}-{k}"
                first, last = names[(body.pk * 4 + k) % len(names)]
                wanted.append(
                    User(
                        username=username,
                        email=f"{username}@bench.ashyq.example",
                        role=role,
                        body=body,
                        first_name=first,
                        last_name=last,
                        language="ru",
                        password=make_password(None),
                    )
                )
        wanted.append(
            User(
                username="bench-moderator",
                email="bench-moderator@bench.ashyq.example",
                role=Role.MODERATOR,
                password=make_password(None),
            )
        )
        User.objects.bulk_create(wanted, ignore_conflicts=True)
        staff = User.objects.filter(username__startswith="bench-").exclude(body=None)
        self.heads, self.officials, self.names = {}, {}, {}
        for user in staff:
            self.names[user.pk] = user.display_name
            if user.role == Role.HEAD:
                self.heads[user.body_id] = user.pk
            else:
                self.officials.setdefault(user.body_id, []).append(user.pk)
        self.moderator_id = User.objects.get(username="bench-moderator").pk

    def _applicants(self):
        count = self.applicant_count
        first = self.writer.next_ids(User, count)
        taken = set(User.objects.values_list("public_alias", flat=True))
        run = secrets.token_hex(3)
        joined = self.now - dt.timedelta(days=self.span_days + 30)
        rows = []
        for i in range(count):
            uid = first + i
            alias = self._alias(uid)
            while alias in taken:
                alias += self.rng.choice(ALIAS_ALPHABET)
            taken.add(alias)
            username = f"gen-{run}-{i}"
            rows.append(
                {
                    "id": uid,
                    "password": "!" + secrets.token_hex(8),
                    "last_login": None,
                    "is_superuser": False,
                    "username": username,
                    "first_name": self.rng.choice(V.FIRST_NAMES),
                    "last_name": self.rng.choice(V.LAST_NAMES),
                    "email": f"{username}@gen.ashyq.example",
                    "is_staff": False,
                    "is_active": True,
                    "date_joined": joined,
                    "role": Role.APPLICANT.value,
                    "body_id": None,
                    "public_alias": alias,
                    "language": self.rng.choice(("kk", "kk", "ru", "ru", "en")),
                }
            )
            if len(rows) >= 50_000:
                self.writer.write(User, rows)
                rows = []
        self.writer.write(User, rows)
        self.applicant_ids = list(range(first, first + count))
        self.stats["applicants"] = count

    @staticmethod
    def _alias(uid: int) -> str:
        # A bijection of the id onto six characters of the alias alphabet: unique among generated users.
        x = (uid * 0x2545F491 + 12345) % (32**6)
        return "".join(ALIAS_ALPHABET[(x >> (5 * k)) & 31] for k in range(6))

    # -- one appeal -----------------------------------------------------------------------------

    def _time_on(self, day: dt.date, after: dt.datetime | None, start_hour=9, end_hour=18) -> dt.datetime:
        seconds = self.rng.randrange(start_hour * 3600, end_hour * 3600)
        moment = dt.datetime.combine(
            day, dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60, self.rng.randrange(1_000_000)), tzinfo=self.tz
        )
        if after is not None and moment <= after:
            moment = after + dt.timedelta(seconds=self.rng.randint(60, 3600))
        return moment

    def _flag(self, forced, name, p):
        return forced[name] if name in forced else self.rng.random() < p

    def _labels(self, subject: str, type_: str) -> dict:
        """Cause, sector and language as the classifiers and people would have left them, drawn plausibly."""
        arng = self.analysis_rng
        sector, cause = SUBJECT_FACTS.get(subject, ("", ""))
        if type_ == "proposal" and arng.random() < 0.7:
            cause = "proposal"
        elif not cause or arng.random() >= P_SUBJECT_CAUSE:
            cause = self.pick_study_cause()
        if not sector or sector not in self.topics or arng.random() >= P_SUBJECT_SECTOR:
            sector = arng.choice(self.topics) if self.topics else ""
        unclassified = arng.random() < P_UNCLASSIFIED
        return {
            "language": self.pick_language(),
            "cause": "" if unclassified else cause,
            "sector": "" if unclassified else sector,
            "cause_confirmed": not unclassified and arng.random() < P_CONFIRMED,
            "sector_confirmed": not unclassified and arng.random() < P_CONFIRMED,
        }

    def _analysis_rows(self, pk, region_id, subject, type_, route_stays, state, answer, published) -> list[dict]:
        """One row per body that held the appeal, as analysis.refresh.rows_for() writes it from the stored stays."""
        labels = self._labels(subject, type_)
        by_body = {}
        for stay in stays(route_stays, answer["text"] if answer else ""):
            by_body[stay.body_id] = {
                "appeal_id": pk,
                "body_id": stay.body_id,
                "month": stay.received_on.replace(day=1),
                "region_id": region_id,
                **labels,
                "handling": stay.handling,
                "redirected_to_id": stay.redirected_to_id,
                "final": False,
                "published": published,
            }
        if by_body:
            by_body[state.body_id if state.body_id in by_body else list(by_body)[-1]]["final"] = True
        return list(by_body.values())

    def _appeal(self, pk: int, index: int, ev_rows, answer_rows, feedback_rows, analysis_rows, stay_rows) -> dict:
        rng, W, reg = self.rng, self.days, self.regulation
        forced = COVER[index] if index < len(COVER) else {}
        body = self.bodies[index] if index < len(self.bodies) else self.pick_body()
        region = body.region or self.pick_region()
        applicant = self.applicant_ids[int(len(self.applicant_ids) * rng.random() ** 1.5)]
        type_ = list(dict(TYPES))[index % len(TYPES)] if index < len(TYPES) else self.pick_type()
        subject = rng.choice(V.SUBJECTS)
        text = " ".join(rng.sample(V.SENTENCES, rng.randint(2, 4))) + V.SYNTHETIC_MARK

        offset = rng.randint(0, 6) if forced.get("fresh") else int(self.span_days * rng.random() ** 1.2)
        t0 = self._time_on(self.today - dt.timedelta(days=offset), None, 8, 23)
        if t0 > self.now:
            t0 = self.now - dt.timedelta(seconds=rng.randint(60, 6 * 3600))
        received = t0.astimezone(self.tz).date()
        due = W.add(received, reg.answer_working_days)
        number = f"{received.year}-{pk:06d}"
        events = [
            Event(
                KIND[EventKind.REGISTERED],
                t0,
                applicant,
                None,
                body.pk,
                "",
                {
                    "number": number,
                    "due_on": due.isoformat(),
                    "received_on": received.isoformat(),
                    "regulation_version": reg.version,
                    "attachments": 0,
                },
            )
        ]
        cursor, current = t0, body

        redirects = 0
        if self._flag(forced, "redirect", P_REDIRECT):
            redirects = 2 if self._flag(forced, "second_redirect", P_SECOND_REDIRECT) else 1
        for _ in range(redirects):
            deadline = W.add(received, reg.redirect_working_days)
            at = self._time_on(W.add(received, rng.randint(1, reg.redirect_working_days)), cursor)
            target = self.pick_body()
            while target.pk == current.pk:
                target = self.pick_body()
            received = at.astimezone(self.tz).date()
            due = W.add(received, reg.answer_working_days)
            events.append(
                Event(
                    KIND[EventKind.REDIRECTED],
                    at,
                    rng.choice(self.officials[current.pk]),
                    current.pk,
                    target.pk,
                    rng.choice(V.REDIRECT_REASONS),
                    {"due_on": due.isoformat(), "received_on": received.isoformat(), "redirect_deadline": deadline.isoformat()},
                )
            )
            cursor, current = at, target

        executor = None
        if self._flag(forced, "assign", P_ASSIGN):
            at = self._time_on(W.add(received, rng.randint(1, 2)), cursor)
            executor = rng.choice(self.officials[current.pk])
            events.append(
                Event(
                    KIND[EventKind.EXECUTOR_ASSIGNED],
                    at,
                    self.heads[current.pk],
                    None,
                    current.pk,
                    "",
                    {"executor_id": executor, "executor": self.names[executor]},
                )
            )
            cursor = at

        if self._flag(forced, "extend", P_EXTEND):
            at = self._time_on(W.add(received, rng.randint(3, reg.answer_working_days - 2)), cursor)
            limit = W.on_or_before(received + relativedelta(months=reg.extension_max_months))
            until = min(W.add(due, rng.randint(5, 20)), limit)
            if until > due and at.astimezone(self.tz).date() <= due:
                events.append(
                    Event(
                        KIND[EventKind.EXTENDED],
                        at,
                        self.heads[current.pk],
                        None,
                        current.pk,
                        rng.choice(V.EXTENSION_REASONS),
                        {"previous_due_on": due.isoformat(), "due_on": until.isoformat()},
                    )
                )
                due, cursor = until, at

        answer = feedback = None
        answered_at = None
        if self._flag(forced, "withdraw", P_WITHDRAW):
            at = self._time_on(W.add(received, rng.randint(1, 10)), cursor, 8, 23)
            events.append(Event(KIND[EventKind.WITHDRAWN], at, applicant, current.pk, None, rng.choice(V.WITHDRAWAL_REASONS)))
        elif not self._flag(forced, "stuck", P_STUCK):
            if self._flag(forced, "late", P_LATE):
                day = W.add(due, rng.randint(1, 30))
            else:
                day = W.add(received, rng.randint(1, max(1, W.between(received, due))))
            answered_at = self._time_on(day, cursor)
            outcome = forced.get("outcome") or self.pick_outcome()
            ground = rng.choice(V.LEGAL_GROUNDS) if outcome in NEEDS_GROUND else ""
            on_time = answered_at.astimezone(self.tz).date() <= due
            author = executor or rng.choice(self.officials[current.pk])
            events.append(
                Event(
                    KIND[EventKind.ANSWERED],
                    answered_at,
                    author,
                    None,
                    current.pk,
                    ground,
                    {"outcome": outcome, "on_time": on_time},
                )
            )
            answer_text = rng.choice(V.ANSWERS) + V.SYNTHETIC_MARK
            answer = {
                "appeal_id": pk,
                "body_id": current.pk,
                "author_id": author,
                "text": answer_text,
                "outcome": outcome,
                "legal_ground": ground,
                "answered_at": answered_at,
                "answered_on_time": on_time,
                "public_text": "",
                "public_legal_ground": "",
                "published_at": None,
            }
            if self._flag(forced, "feedback", P_FEEDBACK):
                at = answered_at + dt.timedelta(days=rng.randint(1, 20), seconds=rng.randint(0, 36000))
                resolution = rng.choice(["yes", "yes", "partly"] if outcome == "resolved" else ["no", "partly", "yes", "no"])
                rating = {"yes": rng.randint(4, 5), "partly": rng.randint(2, 4), "no": rng.randint(1, 2)}[resolution]
                comment = rng.choice(V.FEEDBACK_COMMENTS)
                events.append(
                    Event(
                        KIND[EventKind.FEEDBACK], at, applicant, None, None, comment, {"resolution": resolution, "rating": rating}
                    )
                )
                feedback = {"appeal_id": pk, "resolution": resolution, "rating": rating, "comment": comment, "created_at": at}

        is_public = self._flag(forced, "public", P_PUBLIC)
        if is_public and self._flag(forced, "publish", P_PUBLISHED):
            published = t0 + dt.timedelta(seconds=rng.randint(2 * 3600, 3 * 86400))
            events.append(Event(KIND[EventKind.PUBLISHED], published, self.moderator_id))
            if answered_at is not None and self._flag(forced, "answer_published", P_ANSWER_PUBLISHED):
                events.append(
                    Event(
                        KIND[EventKind.ANSWER_PUBLISHED],
                        max(answered_at, published) + dt.timedelta(seconds=rng.randint(3600, 3 * 86400)),
                        self.moderator_id,
                    )
                )
            if self._flag(forced, "hide", P_HIDDEN):
                events.append(
                    Event(
                        KIND[EventKind.HIDDEN],
                        published + dt.timedelta(days=rng.randint(1, 30)),
                        self.moderator_id,
                        reason="Жалобы пользователей на содержание / Reports from readers",
                    )
                )
            # An official's reason written after publication is approved on its own, a few hours later (a fixed
            # delay: the random stream, and so the rest of the data of a seed, stays as it was).
            for e in [e for e in events if e.kind in REASONED and e.reason and e.at > published]:
                events.append(
                    Event(
                        KIND[EventKind.REASONS_PUBLISHED],
                        e.at + REASON_REVIEW_DELAY,
                        self.moderator_id,
                        data={"redactions": 0, "redaction_kinds": {}, "public_attachments": 0, "reasons": 1},
                    )
                )

        # What has happened by now, in the order it happened.
        events.sort(key=lambda e: e.at)
        events = [e for e in events if e.at <= self.now]
        state = replay(events)
        kinds = {e.kind: e for e in events}
        previous = integrity.GENESIS
        decided = _reasons_decided(events)
        for seq, e in enumerate(events, 1):
            e.appeal_id, e.seq, e.prev_hash = pk, seq, previous
            e.hash = previous = integrity.event_digest(e, previous)
            # "public_reason_at" is no column: _public_reason_rows reads it once the event has its id.
            ev_rows.append(
                {
                    "appeal_id": pk,
                    "seq": seq,
                    "kind": e.kind,
                    "at": e.at,
                    "actor_id": e.actor_id,
                    "from_body_id": e.from_body_id,
                    "to_body_id": e.to_body_id,
                    "reason": e.reason,
                    "data": e.data,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                    "public_reason_at": decided.get(id(e)),
                }
            )
        received_on = max(
            (e for e in events if e.kind in (KIND[EventKind.REGISTERED], KIND[EventKind.REDIRECTED])), key=lambda e: e.seq
        ).data["received_on"]
        # The route as the services keep it (the generated applicants are citizens: no answer to one's own staff).
        route_stays = route.replay_stays(events, addressed_body_id=body.pk)
        stay_rows += [{"appeal_id": pk, **vars(stay)} for stay in route_stays]
        if KIND[EventKind.ANSWERED] in kinds:
            if KIND[EventKind.ANSWER_PUBLISHED] in kinds:
                answer["public_text"] = redact(answer["text"])
                answer["public_legal_ground"] = redact(answer["legal_ground"])
                answer["published_at"] = kinds[KIND[EventKind.ANSWER_PUBLISHED]].at
            answer_rows.append(answer)
        if KIND[EventKind.FEEDBACK] in kinds:
            feedback_rows.append(feedback)
        published = kinds.get(KIND[EventKind.PUBLISHED])
        hidden = kinds.get(KIND[EventKind.HIDDEN])
        analysis_rows += self._analysis_rows(
            pk,
            region.pk,
            subject,
            type_,
            route_stays,
            state,
            answer if KIND[EventKind.ANSWERED] in kinds else None,
            bool(is_public and published and not hidden),
        )
        return {
            "id": pk,
            "number": number,
            "applicant_id": applicant,
            "type": type_,
            "subject": subject,
            "text": text,
            "region_id": region.pk,
            "is_public": is_public,
            "show_name": is_public and rng.random() < 0.15,
            "public_subject": redact(subject) if published else "",
            "public_text": redact(text) if published else "",
            "published_at": published.at if published else None,
            "hidden_at": hidden.at if hidden else None,
            "addressed_body_id": body.pk,
            "body_id": state.body_id,
            "status": str(state.status),
            "executor_id": state.executor_id,
            "regulation_id": reg.pk,
            "registered_at": t0,
            "received_on": dt.date.fromisoformat(received_on),
            "due_on": state.due_on,
            "complaint_about_id": None,
            "idempotency_key": None,
            "updated_at": events[-1].at,
        }

    @staticmethod
    def _search_rows(appeals, answers) -> list[dict]:
        """The search rows of the published appeals (not hidden), as dialogue/search.py writes them after moderation."""
        published_answers = {a["appeal_id"]: a["public_text"] for a in answers if a["published_at"]}
        rows = []
        for a in appeals:
            if not (a["is_public"] and a["published_at"] and not a["hidden_at"]):  # models.published_q
                continue
            fields = search.document_fields(a["public_subject"], a["public_text"], published_answers.get(a["id"], ""))
            if fields:
                rows.append({"appeal_id": a["id"], "registered_at": a["registered_at"], **fields})
        return rows

    @staticmethod
    def _public_reason_rows(events) -> list[dict]:
        """The moderated copies of the officials' reasons a moderator approved (_reasons_decided)."""
        return [
            {"event_id": e["id"], "text": redact(e["reason"]), "published": True, "decided_at": e["public_reason_at"]}
            for e in events
            if e["public_reason_at"]
        ]

    # -- the run --------------------------------------------------------------------------------

    def run(self) -> dict:
        started = time.monotonic()
        self._prepare()
        with transaction.atomic():
            self._applicants()
        first_appeal = self.writer.next_ids(Appeal, self.n)
        next_event = self.writer.next_ids(AppealEvent, self.n * MAX_EVENTS_PER_APPEAL)
        # The writer thread has its own connection: only when this one is not inside a transaction whose
        # uncommitted rows (applicants, reference data) it would not see, as in a test.
        sink = BackgroundWriter(self.writer) if self.writer.postgres and not connection.in_atomic_block else None
        done = 0
        try:
            while done < self.n:
                size = min(self.batch_size, self.n - done)
                appeals, events, answers, feedback, analysis, route_rows = [], [], [], [], [], []
                for i in range(done, done + size):
                    appeals.append(self._appeal(first_appeal + i, i, events, answers, feedback, analysis, route_rows))
                for row in events:
                    row["id"] = next_event
                    next_event += 1
                batch = [
                    (Appeal, appeals),
                    (AppealEvent, events),
                    (AppealStay, route_rows),
                    (Answer, answers),
                    (Feedback, feedback),
                    (AppealAnalysis, analysis),
                    (SearchDocument, self._search_rows(appeals, answers)),
                    (PublicReason, self._public_reason_rows(events)),
                ]
                if sink:
                    sink.put(batch)
                else:
                    self.writer.write_batch(batch)
                done += size
                for key, rows in (
                    ("appeals", appeals),
                    ("events", events),
                    ("answers", answers),
                    ("feedback", feedback),
                    ("analysis_rows", analysis),
                ):
                    self.stats[key] += len(rows)
                self.log(f"{done}/{self.n} appeals, {self.stats['events']} events, {time.monotonic() - started:.1f}s")
        finally:
            if sink:
                sink.close()
        self.writer.release_ids(AppealEvent)
        # When each applicant next wrote to a body that had answered them (the services record it as appeals are
        # registered): set-based over the table once the rows are in, since appeals are generated out of time order.
        route.record_next_appeals()
        # The reports read the monthly summary of the analysis rows, which the rows written above bypassed: rebuilt
        # from them in one set-based statement (summary.py).
        analysis_summary.rebuild()
        if self.writer.postgres and not connection.in_atomic_block:
            # The reports read the analysis table by index-only scans, which need its visibility map.
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM (ANALYZE) {AppealAnalysis._meta.db_table}")
                cursor.execute(f"VACUUM (ANALYZE) {MonthlyCount._meta.db_table}")
        self.stats["seconds"] = round(time.monotonic() - started, 1)
        return self.stats
