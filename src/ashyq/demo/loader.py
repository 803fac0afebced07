"""The demo: reference data, one user per role, and synthetic appeals in every state.

The appeals are written for the demo and say so. Each is replayed through the real services at
past dates (core.clock.frozen_at), so its record, deadlines and emails are exactly what the
platform would have produced. Loading twice changes nothing.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ashyq.accounts.models import Role, User
from ashyq.assessment import figures
from ashyq.assessment import signals as assessment_signals
from ashyq.bodies.models import Body
from ashyq.bodies.reference_data import load_reference_data
from ashyq.core import clock
from ashyq.core.calendar import add_working_days
from ashyq.core.models import Region
from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal
from ashyq.opendata.showcase import load_showcase

from .budget import load_budget

DEMO_PASSWORD = "ashyq-demo-2026"
SYNTHETIC = "\n\n(Синтетикалық демо-өтініш / Синтетическое демонстрационное обращение / Synthetic demo appeal.)"

USERS = [
    # username, role, body slug, first name, last name, language
    ("demo-citizen", Role.APPLICANT, None, "Aigerim", "Demo-Citizen", "kk"),
    ("demo-official-acc", Role.OFFICIAL, "anti-corruption-agency", "Nurlan", "Demo-Official", "ru"),
    ("demo-head-acc", Role.HEAD, "anti-corruption-agency", "Askar", "Demo-Head", "ru"),
    ("demo-official-gpo", Role.OFFICIAL, "general-prosecutors-office", "Dana", "Demo-Prosecutor", "ru"),
    ("demo-head-gpo", Role.HEAD, "general-prosecutors-office", "Erlan", "Demo-Prosecutor-General", "ru"),
    ("demo-official-moh", Role.OFFICIAL, "ministry-of-healthcare", "Saule", "Demo-Health", "kk"),
    ("demo-official-mia", Role.OFFICIAL, "ministry-of-internal-affairs", "Marat", "Demo-Police", "ru"),
    ("demo-monitor", Role.MONITOR, None, "Gulnar", "Demo-Monitor", "en"),
    ("demo-moderator", Role.MODERATOR, None, "Timur", "Demo-Moderator", "en"),
    ("admin", Role.ADMIN, None, "Ashyq", "Administrator", "en"),
]


def _user(username, role, body_slug, first, last, language):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@demo.ashyq.example",
            "role": role,
            "first_name": first,
            "last_name": last,
            "language": language,
            "body": Body.objects.get(slug=body_slug) if body_slug else None,
            "is_staff": role == Role.ADMIN,
            "is_superuser": role == Role.ADMIN,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _at(days_ago: int, hour: int = 10) -> dt.datetime:
    day = clock.today() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _submit(key, citizen, body, region, type_, subject, text, days_ago, is_public=False):
    with clock.frozen_at(_at(days_ago)):
        return services.submit_appeal(
            citizen,
            body=Body.objects.get(slug=body),
            type=type_,
            subject=subject,
            text=text + SYNTHETIC,
            region=Region.objects.get(iso_code=region),
            is_public=is_public,
            idempotency_key=key,
        )


def _scenarios(u):
    """Each scenario: an idempotency key and a function that plays it. Days count back from today."""
    citizen = u["demo-citizen"]

    def fresh():
        _submit(
            "demo-1",
            citizen,
            "anti-corruption-agency",
            "KZ-75",
            "report",
            "Вымогательство при получении разрешения на строительство",
            "Сотрудник районного отдела архитектуры потребовал деньги за ускорение выдачи разрешения. Прошу провести проверку.",
            1,
        )

    def redirected_and_resolved():
        a = _submit(
            "demo-2",
            citizen,
            "anti-corruption-agency",
            "KZ-71",
            "complaint",
            "Затягивание рассмотрения жалобы на судебного исполнителя",
            "Судебный исполнитель третий месяц не исполняет решение суда о взыскании алиментов.",
            24,
        )
        with clock.frozen_at(_at(23)):
            services.redirect_appeal(
                u["demo-official-acc"],
                a,
                Body.objects.get(slug="general-prosecutors-office"),
                "Надзор за исполнительным производством относится к компетенции органов прокуратуры.",
            )
        with clock.frozen_at(_at(20)):
            services.assign_executor(u["demo-official-gpo"], a, u["demo-official-gpo"])
        with clock.frozen_at(_at(10)):
            services.answer_appeal(
                u["demo-official-gpo"],
                a,
                outcome="resolved",
                text="Проведена проверка, судебному исполнителю внесено представление, взыскание возобновлено.",
            )
        with clock.frozen_at(_at(8)):
            services.record_feedback(citizen, a, resolution="yes", rating=5, comment="Алименты снова поступают.")

    def in_progress_soon_due():
        a = _submit(
            "demo-3",
            citizen,
            "anti-corruption-agency",
            "KZ-19",
            "application",
            "Мемлекеттік сатып алудағы сыбайлас жемқорлық белгілері",
            "Аудандық әкімдіктің жол жөндеу бойынша конкурсында бір ғана компания жеңіске жетеді.",
            17,
        )
        with clock.frozen_at(_at(16)):
            services.assign_executor(u["demo-head-acc"], a, u["demo-official-acc"])

    def overdue_health():
        _submit(
            "demo-4",
            citizen,
            "ministry-of-healthcare",
            "KZ-79",
            "complaint",
            "Отказ в бесплатном лекарственном обеспечении",
            "Поликлиника третий месяц не выдаёт инсулин, положенный по программе ГОБМП.",
            30,
        )

    def very_overdue_police():
        _submit(
            "demo-5",
            citizen,
            "ministry-of-internal-affairs",
            "KZ-35",
            "complaint",
            "Не рассмотрено заявление о краже",
            "Заявление о краже велосипеда зарегистрировано, но участковый не выходит на связь.",
            70,
        )

    def extended():
        a = _submit(
            "demo-6",
            citizen,
            "anti-corruption-agency",
            "KZ-61",
            "report",
            "Незаконное выделение земельных участков",
            "В сельском округе земельные участки выделены родственникам акима без конкурса.",
            12,
        )
        with clock.frozen_at(_at(5)):
            services.extend_deadline(
                u["demo-head-acc"],
                a,
                _working_day_after(a.due_on, 10),
                "Требуется запрос документов из земельного кадастра и трёх районных отделов.",
            )

    def explained_and_complained():
        a = _submit(
            "demo-7",
            citizen,
            "anti-corruption-agency",
            "KZ-75",
            "proposal",
            "Опубликовать зарплаты государственных служащих",
            "Предлагаю публиковать заработные платы руководителей государственных органов.",
            40,
            is_public=True,
        )
        with clock.frozen_at(_at(30)):
            services.answer_appeal(
                u["demo-official-acc"],
                a,
                outcome="explained",
                text="Вопрос оплаты труда государственных служащих регулируется законодательством о государственной службе.",
            )
        with clock.frozen_at(_at(28)):
            services.record_feedback(citizen, a, resolution="no", rating=2, comment="Ответ формальный.")
        with clock.frozen_at(_at(27)):
            services.complain_about_answer(citizen, a, text="Агентство не рассмотрело предложение по существу." + SYNTHETIC)

    def withdrawn():
        a = _submit(
            "demo-8",
            citizen,
            "ministry-of-internal-affairs",
            "KZ-71",
            "request",
            "Запрос о графике приёма граждан",
            "Прошу сообщить график приёма граждан начальником департамента.",
            6,
        )
        with clock.frozen_at(_at(5)):
            services.withdraw_appeal(citizen, a, "Нашёл график на сайте.")

    def left_without_consideration():
        a = _submit(
            "demo-9",
            citizen,
            "anti-corruption-agency",
            "KZ-47",
            "complaint",
            "Повторная жалоба на решение суда",
            "Не согласен с решением районного суда по трудовому спору.",
            20,
        )
        with clock.frozen_at(_at(18)):
            services.answer_appeal(
                u["demo-official-acc"],
                a,
                outcome="left_without_consideration",
                legal_ground="Пункт 1 статьи 89 АППК: вопрос о пересмотре судебного акта не относится к административной процедуре.",
                text="Обжалование судебных актов осуществляется в порядке, предусмотренном процессуальным законодательством.",
            )

    return [
        ("demo-1", fresh),
        ("demo-2", redirected_and_resolved),
        ("demo-3", in_progress_soon_due),
        ("demo-4", overdue_health),
        ("demo-5", very_overdue_police),
        ("demo-6", extended),
        ("demo-7", explained_and_complained),
        ("demo-8", withdrawn),
        ("demo-9", left_without_consideration),
    ]


def _working_day_after(day, n):
    return add_working_days(day, n)


def _run_queued_work() -> int:
    """The work the demo's steps queued (figures, analysis rows, suggestions), done now so the demo is whole
    before the worker starts; the emails about the demo's past steps go nowhere (nobody reads those addresses)."""
    from django.conf import settings

    from ashyq.core.tasks import run_ready_tasks

    backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    try:
        return run_ready_tasks()
    finally:
        settings.EMAIL_BACKEND = backend


def _people() -> tuple[dict, dict]:
    with transaction.atomic():
        reference = load_reference_data()
        users = {row[0]: _user(*row) for row in USERS}
    return reference, users


def _play_scenarios(users: dict) -> int:
    played = 0
    with transaction.atomic():
        for key, play in _scenarios(users):
            if not Appeal.objects.filter(applicant=users["demo-citizen"], idempotency_key=key).exists():
                play()
                played += 1
    return played


def load_appeal_histories() -> dict:
    """Only the reference data, the demo's people and its scripted appeals: every kind of step (assignment,
    redirect, extension, answer, feedback, complaint, withdrawal) played through the services, in seconds.
    For checking the record as a whole (a backup and its restore) without the starter models, the mailbox
    and the showcase that `load_demo` adds."""
    reference, users = _people()
    played = _play_scenarios(users)
    return {**reference, "users": len(users), "new_appeals": played, "background_tasks": _run_queued_work()}


def load_demo(ranking_story: bool = False) -> dict:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from . import assessment_story, blogs, legalacts, mailbox
    from . import polls as demo_polls

    if settings.PRODUCTION:  # also when called from a shell, not only by the load_demo command
        raise ImproperlyConfigured("The demo (users with a published password) is never loaded in production.")
    reference, users = _people()
    # The starter models before any appeal, so every demo appeal gets suggestions when it is registered.
    with transaction.atomic():
        trained = mailbox.train_starter_models()
    played = _play_scenarios(users)
    # Hundreds of appeals: the assessment's figures are computed once at the end, not after each event.
    with assessment_signals.paused(), transaction.atomic():
        mailbox_added = mailbox.load_mailbox(users["demo-official-acc"])
    story_added = 0
    if ranking_story:  # the ranking story: 360 appeals more, so only when asked (make run asks)
        with assessment_signals.paused(), transaction.atomic():
            story_added = assessment_story.load(users["demo-moderator"])
    if mailbox_added or story_added:
        figures.recompute_all()
    ran = _run_queued_work()
    parts = [load_showcase(), load_budget(), legalacts.load(), blogs.load(), demo_polls.load()]
    # What was left unpublished and why (a dataset a publisher withdrew), for the command to print after the counts.
    warnings = [warning for part in parts for warning in part.pop("warnings", [])]
    counts = {
        **reference,
        "users": len(users),
        "new_appeals": played + mailbox_added + story_added,
        "models_trained": len(trained),
        "background_tasks": ran,
    }
    for part in parts:
        counts.update(part)
    return {**counts, "warnings": warnings} if warnings else counts
