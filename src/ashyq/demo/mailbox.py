"""The demo mailbox of the Anti-Corruption Agency: 341 synthetic appeals, as many as the KazISS study read
by hand, written for the demo (analysis/data/starter-corpus.csv) and played through the real services.

Each appeal goes to the Agency. When the corpus says another body is competent, the Agency redirects it
there the next day and that body answers; otherwise the Agency answers itself, opening an investigation
where the appeal reports corruption or abuse of authority. The Agency's official confirms most
suggested causes and sectors, so the analysis shows both confirmed and suggested labels. Recent appeals
are still open. The applicants are demo accounts that cannot sign in.
"""

import datetime as dt
import random

from django.utils import timezone

from ashyq.accounts.models import Role, User
from ashyq.analysis import classifier, starter
from ashyq.analysis import services as analysis
from ashyq.analysis.models import ClassifierModel, Task
from ashyq.bodies.models import Body
from ashyq.core import clock
from ashyq.core.models import Region
from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal

AGENCY = "anti-corruption-agency"
SIZE = 341
APPLICANTS = 40
SPAN_DAYS = 92  # about three months, like the study (August–October 2019)
SYNTHETIC = "\n\n(Синтетикалық демо-өтініш / Синтетическое демонстрационное обращение / Synthetic demo appeal.)"

INVESTIGATION = {
    "ru": "По обращению начато досудебное расследование; о его результатах вам сообщат дополнительно.",
    "kk": "Өтініш бойынша сотқа дейінгі тергеп-тексеру басталды; нәтижесі туралы қосымша хабарланады.",
}
MEASURES = {
    "ru": "Проведена служебная проверка, виновный сотрудник привлечён к дисциплинарной ответственности.",
    "kk": "Қызметтік тексеру жүргізілді, кінәлі қызметкер тәртіптік жауапкершілікке тартылды.",
}
EXPLANATION = {
    "ru": "Разъясняем порядок: по вашему вопросу необходимо обратиться с заявлением и документами в уполномоченный орган; нарушений не установлено.",
    "kk": "Тәртібін түсіндіреміз: мәселеңіз бойынша уәкілетті органға өтініш пен құжаттарды беру қажет; бұзушылық анықталған жоқ.",
}
RESOLVED = {
    "ru": "Ваш вопрос решён: нарушение устранено, ответственным даны поручения.",
    "kk": "Мәселеңіз шешілді: бұзушылық жойылды, жауаптыларға тапсырма берілді.",
}
REDIRECT_REASON = {
    "ru": "Вопрос не относится к компетенции Агентства и направлен в уполномоченный орган (статья 65 АППК).",
    "kk": "Мәселе Агенттіктің құзыретіне жатпайды және уәкілетті органға жіберілді (ӘРПК 65-бабы).",
}


def _at(days_ago: int, hour: int) -> dt.datetime:
    day = clock.today() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _lang(row) -> str:
    return "kk" if row["language"] in ("kk", "kk-latn") else "ru"


def _subject(text: str) -> str:
    words = text.split()
    subject = " ".join(words[:9])
    return subject if len(words) <= 9 else subject.rstrip(",.;:") + "…"


def _applicants() -> list[User]:
    result = []
    for n in range(1, APPLICANTS + 1):
        user, created = User.objects.get_or_create(
            username=f"demo-applicant-{n:02d}",
            defaults={
                "email": f"demo-applicant-{n:02d}@demo.ashyq.example",
                "role": Role.APPLICANT,
                "first_name": "Demo",
                "last_name": f"Applicant {n:02d}",
                "language": "ru",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        result.append(user)
    return result


def _official(body: Body) -> User:
    user, created = User.objects.get_or_create(
        username=f"demo-official-{body.slug}"[:150],
        defaults={
            "email": f"official.{body.slug}@demo.ashyq.example",
            "role": Role.OFFICIAL,
            "body": body,
            "first_name": "Demo",
            "last_name": "Official",
            "language": "ru",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def load_mailbox(agency_official: User, size: int = SIZE) -> int:
    """Play the mailbox; appeals already there (by idempotency key) are skipped. Returns how many were added."""
    corpus = starter.rows()
    if not corpus:
        return 0
    rng = random.Random(2019)
    chosen = sorted(rng.sample(corpus, min(size, len(corpus))), key=lambda r: r["id"])
    applicants = _applicants()
    agency = Body.objects.get(slug=AGENCY)
    bodies = {b.slug: b for b in Body.objects.all()}
    regions = {r.iso_code: r for r in Region.objects.all()}
    existing = set(Appeal.objects.filter(idempotency_key__startswith="mailbox-").values_list("idempotency_key", flat=True))
    added = 0
    for i, row in enumerate(chosen):
        key = f"mailbox-{row['id']}"
        if key in existing:
            continue
        days_ago = SPAN_DAYS - (i * SPAN_DAYS) // len(chosen)
        lang = _lang(row)
        with clock.frozen_at(_at(days_ago, 9 + i % 8)):
            appeal = services.submit_appeal(
                applicants[i % len(applicants)],
                body=agency,
                type="complaint" if row["cause"] != "proposal" else "proposal",
                subject=_subject(row["text"]),
                text=row["text"] + SYNTHETIC,
                region=regions[row["region"]],
                is_public=False,
                idempotency_key=key,
            )
        added += 1
        # The Agency's official confirms four suggestions in five (a person's label, with who and when).
        if rng.random() < 0.8:
            with clock.frozen_at(_at(days_ago, 18)):
                for task in (Task.CAUSE, Task.SECTOR):
                    if row[task] in analysis.allowed_values(task):
                        analysis.set_label(agency_official, appeal, task, row[task])
        target = bodies.get(row["body"])
        answerer, answering_body = agency_official, agency
        answer_after = 9 + i % 6
        if target is not None and target.pk != agency.pk and target.accepts_appeals:
            with clock.frozen_at(_at(max(days_ago - 1, 0), 11)):
                services.redirect_appeal(agency_official, appeal, target, REDIRECT_REASON[lang])
            answerer, answering_body = _official(target), target
        if days_ago - answer_after < 1:
            continue  # still open: recent appeals have not been answered yet
        outcome, text = "explained", EXPLANATION[lang]
        if answering_body.pk == agency.pk and row["cause"] in ("corruption", "abuse_of_authority"):
            outcome, text = "resolved", (INVESTIGATION if i % 3 else MEASURES)[lang]
        elif rng.random() < 0.3:
            outcome, text = "resolved", RESOLVED[lang]
        with clock.frozen_at(_at(days_ago - answer_after, 15)):
            services.answer_appeal(answerer, appeal, outcome=outcome, text=text)
        if rng.random() < 0.5 and days_ago - answer_after > 2:
            resolution = "yes" if outcome == "resolved" and rng.random() < 0.7 else rng.choice(["partly", "no"])
            with clock.frozen_at(_at(days_ago - answer_after - 1, 19)):
                services.record_feedback(
                    appeal.applicant, appeal, resolution=resolution, rating={"yes": 5, "partly": 3, "no": 1}[resolution]
                )
    return added


def train_starter_models() -> dict:
    """Train the cause, sector and routing models from the starter corpus when a task has none yet."""
    trained = {}
    for task in (Task.CAUSE, Task.SECTOR, Task.ROUTING):
        texts, labels = starter.training_rows(task)
        if not texts or ClassifierModel.objects.filter(task=task, active=True).exists():
            continue
        model = analysis.save_model(
            task,
            classifier.train(texts, labels),
            labels=labels,
            trained_on="the starter corpus (synthetic, written for the demo)",
        )
        trained[task] = model.pk
    return trained
