"""Adversarial check of the methods: honest bodies and bodies that game the count, played through the services.

`build()` plays a population of appeals through the dialogue's services (submit, redirect, extend, answer,
feedback, withdraw) at chosen dates, exactly as officials and applicants would: no row of the record is
written by hand. Honest bodies vary realistically (how often they resolve, explain, refuse, redirect
correctly, answer late; how often applicants confirm). Each gaming body follows one strategy (STRATEGIES).

`run()` builds the population on bodies made for it, in a transaction it rolls back, and returns the table
`manage.py simulate_gaming` prints: for each strategy, its official and Ashyq ranks among the honest bodies
(as a single body gaming the count would stand), whether the official method is fooled (top half) and
whether Ashyq puts it in the bottom quartile. The demo (demo/assessment_story.py) plays the same
strategies on real bodies, so the ranking page shows them.
"""

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ashyq.accounts.models import Role, User
from ashyq.bodies.models import Body
from ashyq.core import calendar, clock
from ashyq.core.models import Region
from ashyq.dialogue import deadlines, services
from ashyq.dialogue.models import Appeal

from . import config, figures, scoring, signals

STRATEGIES = {
    "redirect_everything": "Redirects every appeal to another body, which answers that it is not its matter",
    "redirect_most": "Redirects most appeals away and resolves a few",
    "formal_on_time": "Answers every appeal with a formal explanation, on time",
    "explained_last_day": "Answers 'explained' on the last day of the term",
    "extend_everything": "Extends every term to the limit, then explains on the last day",
    "left_without_consideration": "Leaves appeals without consideration, citing a ground",
    "self_confirmation": "Its own staff write appeals, which it resolves and they confirm",
    "splitting": "Has one problem split into many appeals, each answered 'resolved' while the problem stays",
    "withdrawal": "Asks applicants to withdraw their appeals",
}
LEGAL_GROUND = "APPC art. 89: the matter is not subject to an administrative procedure."


class _Rollback(Exception):
    pass


@dataclass
class Habits:
    """An honest body: shares of its appeals it resolves, explains, refuses or redirects correctly (the rest:
    resolved), how often it answers late, and how often applicants confirm a resolution."""

    explain: float
    refuse: float
    redirect: float
    late: float
    confirm: float


def honest_habits(i: int, n: int) -> Habits:
    """Spread from the best to the weakest honest body; body 1 routes many appeals, correctly."""
    t = i / max(n - 1, 1)
    return Habits(
        explain=0.08 + 0.22 * t,
        refuse=0.04 + 0.08 * t,
        redirect=0.35 if i == 1 else 0.05 + 0.05 * (i % 3),
        late=0.02 + 0.25 * t,
        confirm=0.75 - 0.3 * t,
    )


@dataclass
class Population:
    start: dt.date
    per_body: int
    honest: list = field(default_factory=list)  # bodies
    gaming: dict = field(default_factory=dict)  # strategy -> body
    rng: random.Random = field(default_factory=lambda: random.Random(11))
    staff: dict = field(default_factory=dict)  # body id -> (official, head)
    citizens: list = field(default_factory=list)
    region: Region | None = None
    _next_citizen: int = 0
    _next_receiver: int = 0
    text: str = "A problem the body must solve."
    subject: str = "Synthetic appeal"
    public_share: float = 0.0

    # --- people ------------------------------------------------------------------------------------------
    def officials(self, body):
        return self.staff[body.pk]

    def citizen(self):
        self._next_citizen += 1
        return self.citizens[self._next_citizen % len(self.citizens)]

    def receiver(self, sender):
        """An honest body other than the sender, in turn."""
        candidates = [b for b in self.honest if b.pk != sender.pk]
        self._next_receiver += 1
        return candidates[self._next_receiver % len(candidates)]

    # --- time --------------------------------------------------------------------------------------------
    def day(self, k: int) -> dt.date:
        """The k-th working day from the start."""
        return calendar.add_working_days(self.start, k) if k else self.start

    @staticmethod
    def on(day: dt.date, hour: int = 10):
        return clock.frozen_at(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0))))

    # --- steps through the services ----------------------------------------------------------------------
    def submit(self, applicant, body, day, **extra):
        with self.on(day, 9):
            return services.submit_appeal(
                applicant,
                body=body,
                type="application",
                subject=extra.pop("subject", self.subject),
                text=extra.pop("text", self.text),
                region=self.region,
                is_public=self.rng.random() < self.public_share,
                **extra,
            )

    def answer(self, body, appeal, day, outcome, text="We considered your appeal.", **kw):
        if outcome in ("refused", "left_without_consideration"):
            kw.setdefault("legal_ground", LEGAL_GROUND)
        with self.on(day, 15):
            services.answer_appeal(self.officials(body)[0], appeal, text=text, outcome=outcome, **kw)

    def feedback(self, applicant, appeal, day, resolution):
        if resolution:
            with self.on(day, 18):
                services.record_feedback(
                    applicant, appeal, resolution=resolution, rating={"yes": 5, "partly": 3, "no": 1}[resolution]
                )

    def redirect(self, body, appeal, day, to_body, reason="This is the other body's competence."):
        with self.on(day, 11):
            return services.redirect_appeal(self.officials(body)[0], appeal, to_body, reason)

    def verdict(self, confirm: float) -> str | None:
        r = self.rng.random()
        if r < confirm:
            return "yes"
        if r < confirm + 0.12:
            return "partly"
        if r < confirm + 0.2:
            return "no"
        return None

    def dumped(self, body, appeal, k):
        """Redirected to a body whose matter it is not: that body answers so, and the applicant is left with nothing."""
        to = self.receiver(body)
        appeal = self.redirect(body, appeal, self.day(k + 1), to)
        self.answer(to, appeal, self.day(k + 4), "explained", text="This is not a matter for our body.")

    # --- bodies --------------------------------------------------------------------------------------------
    def honest_body(self, body, habits: Habits):
        for i in range(self.per_body):
            k = (i * 2) % 25
            applicant = self.citizen()
            appeal = self.submit(applicant, body, self.day(k))
            r = self.rng.random()
            late = self.rng.random() < habits.late
            answer_day = self.day(k + (self.rng.randint(17, 22) if late else self.rng.randint(2, 14)))
            if r < habits.redirect:
                to = self.receiver(body)
                appeal = self.redirect(body, appeal, self.day(k + 1), to)
                self.answer(to, appeal, self.day(k + 6), "resolved", text="Measures taken.")
                self.feedback(applicant, appeal, self.day(k + 8), self.verdict(0.7))
            elif r < habits.redirect + habits.explain:
                self.answer(body, appeal, answer_day, "explained")
                self.feedback(applicant, appeal, answer_day, "no" if self.rng.random() < 0.4 else None)
            elif r < habits.redirect + habits.explain + habits.refuse:
                self.answer(body, appeal, answer_day, "refused")
            else:
                self.answer(body, appeal, answer_day, "resolved", text="Measures taken.")
                self.feedback(applicant, appeal, answer_day + dt.timedelta(days=1), self.verdict(habits.confirm))

    def gaming_body(self, strategy: str, body):
        official, head = self.officials(body)
        for i in range(self.per_body):
            k = (i * 2) % 25
            if strategy == "splitting":  # one applicant per problem, three appeals in a row on it
                if i % 3 == 0:
                    applicant = self.citizen()
                k = ((i // 3) * 2) % 25 + (i % 3) * 2
            elif strategy == "self_confirmation" and i % 2 == 0:
                applicant = self.staff_applicant(body, i)
            else:
                applicant = self.citizen()
            appeal = self.submit(applicant, body, self.day(k))
            if strategy == "redirect_everything" or (strategy == "redirect_most" and i % 10):
                self.dumped(body, appeal, k)
            elif strategy == "redirect_most":
                self.answer(body, appeal, self.day(k + 5), "resolved", text="Measures taken.")
                self.feedback(applicant, appeal, self.day(k + 6), "yes")
            elif strategy in ("formal_on_time", "self_confirmation"):
                if strategy == "self_confirmation" and i % 2 == 0:
                    self.answer(body, appeal, self.day(k + 2), "resolved", text="Measures taken.")
                    self.feedback(applicant, appeal, self.day(k + 3), "yes")
                    continue
                self.answer(body, appeal, self.day(k + 3), "explained", text="We explain the law.")
                self.feedback(applicant, appeal, self.day(k + 4), "no" if i % 2 else None)
            elif strategy == "explained_last_day":
                self.answer(body, appeal, appeal.due_on, "explained", text="We explain the law.")
            elif strategy == "extend_everything":
                until = self.last_extension_day(appeal)
                with self.on(self.day(k + 5), 12):
                    services.extend_deadline(head, appeal, until, "More time is needed to request documents.")
                self.answer(body, appeal, until, "explained", text="We explain the law.")
            elif strategy == "left_without_consideration":
                self.answer(body, appeal, self.day(k + 3), "left_without_consideration", text="Not considered.")
            elif strategy == "splitting":
                self.answer(body, appeal, self.day(k + 1), "resolved", text="This part is done.")
                self.feedback(applicant, appeal, self.day(k + 1), "no")
            elif strategy == "withdrawal":
                if i % 5:
                    with self.on(self.day(k + 2), 16):
                        services.withdraw_appeal(applicant, appeal, "The official asked me to withdraw it.")
                else:
                    self.answer(body, appeal, self.day(k + 3), "explained", text="We explain the law.")
            else:
                raise ValueError(f"unknown strategy {strategy!r}")

    def staff_applicant(self, body, i):
        username = f"sim-staff-{body.slug}-{i}"[:150]
        return User.objects.get_or_create(
            username=username,
            defaults={"role": Role.OFFICIAL, "body": body, "email": f"{username}@staff.example.kz", "language": "en"},
        )[0]

    @staticmethod
    def last_extension_day(appeal: Appeal) -> dt.date:
        reg = appeal.regulation
        day = deadlines.extension_limit(appeal.received_on, reg)
        while not calendar.is_working_day(day, reg.calendar_country):
            day -= dt.timedelta(days=1)
        return day

    def play(self):
        for i, body in enumerate(self.honest):
            self.honest_body(body, honest_habits(i, len(self.honest)))
        for strategy, body in self.gaming.items():
            self.gaming_body(strategy, body)


def make_people(pop: Population, citizens: int, prefix: str):
    for body in [*pop.honest, *pop.gaming.values()]:
        pop.staff[body.pk] = tuple(
            User.objects.get_or_create(
                username=f"{prefix}-{role}-{body.slug}"[:150],
                defaults={"role": role, "body": body, "email": f"{prefix}-{role}-{body.pk}@staff.example.kz", "language": "en"},
            )[0]
            for role in (Role.OFFICIAL, Role.HEAD)
        )
    pop.citizens = [
        User.objects.get_or_create(
            username=f"{prefix}-citizen-{i}",
            defaults={"role": Role.APPLICANT, "email": f"{prefix}-citizen-{i}@example.kz", "language": "en"},
        )[0]
        for i in range(citizens)
    ]


# --- the table ---------------------------------------------------------------------------------------------------


def bottom_quartile(rank: int, n: int) -> bool:
    return rank > n - math.ceil(n / 4)


def top_half(rank: int, n: int) -> bool:
    return rank <= n // 2


def table(counts: dict, honest: list[str], gaming: dict, weights=None) -> dict:
    """{strategies: [row per strategy], population: the ranking of every body}. Each strategy is ranked
    among the honest bodies alone (n = honest + 1); counts: {slug: settled counts}."""
    weights = weights or config.get()["weights"]
    rows = []
    for strategy, slug in gaming.items():
        field_ = {b: counts[b] for b in [*honest, slug]}
        r = next(r for r in scoring.ranking(field_, weights, 1) if r["body"] == slug)
        n = len(field_)
        rows.append(
            {
                "strategy": strategy,
                "body": slug,
                "n": n,
                "official_score": r["official_score"],
                "official_rank": r["official_rank"],
                "ashyq_score": r["ashyq_score"],
                "ashyq_rank": r["ashyq_rank"],
                "official_fooled": top_half(r["official_rank"], n),
                "ashyq_bottom_quartile": bottom_quartile(r["ashyq_rank"], n),
            }
        )
    population = scoring.ranking({b: counts[b] for b in [*honest, *gaming.values()]}, weights, 1)
    for r in population:
        r["strategy"] = next((s for s, b in gaming.items() if b == r["body"]), None)
        r["redirected_justified"] = counts[r["body"]]["final_redirected_justified"]
    return {"strategies": rows, "population": population}


def counts_for(bodies: list, start: dt.date, end: dt.date, as_of: dt.date) -> dict:
    figures.ensure_calendar(start - dt.timedelta(days=7), as_of + dt.timedelta(days=60))
    by_id = {b.pk: b.slug for b in bodies}
    out = {slug: scoring.empty_counts() for slug in by_id.values()}
    for (body_id, _month), c in figures.compute_counts(list(by_id), start, end).items():
        scoring.add_counts(out[by_id[body_id]], c)
    return {slug: scoring.settle(c, as_of) for slug, c in out.items()}


# --- the isolated run -----------------------------------------------------------------------------------------

SIM_START = dt.date(2024, 1, 8)  # a Monday; the quarter 2024-Q1 is the period ranked
SIM_PERIOD = "2024-Q1"


def run(*, honest: int = 12, per_body: int = 40, seed: int = 11) -> dict:
    """Build the population on bodies made for it, rank, and roll everything back. Returns the table."""
    if honest < 4:
        raise ValueError("at least 4 honest bodies")
    region = Region.objects.order_by("pk").first()
    if region is None:
        raise ValueError("load the reference data first (regions)")
    _, start, end = scoring.parse_period(SIM_PERIOD)
    result = {}
    try:
        with signals.paused(), transaction.atomic():
            made = [
                Body.objects.create(
                    slug=f"simulated-body-{i:02d}",
                    kind=Body.Kind.AGENCY,
                    name_en=f"Simulated body {i:02d}",
                    name_ru=f"Моделируемый орган {i:02d}",
                    name_kk=f"Модельдік орган {i:02d}",
                    head_title_en="Head",
                )
                for i in range(1, honest + len(STRATEGIES) + 1)
            ]
            pop = Population(
                start=SIM_START,
                per_body=per_body,
                honest=made[:honest],
                rng=random.Random(seed),
                region=region,
                gaming=dict(zip(STRATEGIES, made[honest:])),
            )
            make_people(pop, citizens=max(per_body * 3, 30), prefix="sim")
            pop.play()
            counts = counts_for(made, start, end, as_of=dt.date(2024, 7, 1))
            result = table(counts, [b.slug for b in pop.honest], {s: b.slug for s, b in pop.gaming.items()})
            raise _Rollback
    except _Rollback:
        pass
    names = {f"simulated-body-{i:02d}": f"Simulated body {i:02d}" for i in range(1, 100)}
    for r in result["population"]:
        r["name"] = names.get(r["body"], r["body"])
    result.update(
        {"period": SIM_PERIOD, "honest": honest, "per_body": per_body, "seed": seed, "method_version": config.get()["version"]}
    )
    return result


def format_table(result: dict) -> str:
    lines = [
        f"Gaming strategies against {result['honest']} honest bodies, {result['per_body']} appeals each "
        f"(method {result['method_version']}, {result['period']}); ranks among the honest bodies and the strategy.",
        f"{'strategy':<28} {'official':>14} {'ashyq':>14}  official fooled   ashyq bottom quartile",
    ]
    for r in result["strategies"]:
        lines.append(
            f"{r['strategy']:<28} {r['official_rank']:>3}/{r['n']:<3} {r['official_score']:>5.2f}"
            f" {r['ashyq_rank']:>3}/{r['n']:<3} {r['ashyq_score']:>5.1f}"
            f"  {'yes' if r['official_fooled'] else 'no':<16} {'yes' if r['ashyq_bottom_quartile'] else 'NO'}"
        )
    return "\n".join(lines)
