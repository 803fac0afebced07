"""Open Legal Acts in the demo: the real acts and the agreements register, the registers as open-data datasets
(so the DCAT catalogue lists them), and synthetic discussions — labelled so on every page — played through the
real services at past dates: one with its report published, one open now, one whose report is overdue."""

import datetime as dt
import hashlib
import logging

from django.utils import timezone

from ashyq.accounts.models import User
from ashyq.bodies.models import Body
from ashyq.core import clock
from ashyq.legalacts import exports, register, services
from ashyq.legalacts.models import Decision, Process

log = logging.getLogger(__name__)

DRAFT_RU = """# Правила рассмотрения обращений, поступающих через платформу «Ashyq» (синтетический проект)

Настоящие Правила – синтетический проект, составленный для демонстрации платформы.

### Глава 1. Общие положения

1. Правила определяют порядок рассмотрения обращений, поступающих через платформу.

2. Обращение регистрируется в день поступления.

### Глава 2. Сроки

3. Обращение рассматривается в течение пятнадцати рабочих дней.

4. Срок может быть продлен:

1) руководителем органа – не более чем на два месяца;

2) с уведомлением заявителя в течение трех рабочих дней.
"""
DRAFT_KK = """# «Ashyq» платформасы арқылы келіп түскен өтініштерді қарау қағидалары (синтетикалық жоба)

Осы Қағидалар – платформаны көрсету үшін жасалған синтетикалық жоба.

### 1-тарау. Жалпы ережелер

1. Қағидалар платформа арқылы келіп түскен өтініштерді қарау тәртібін айқындайды.

2. Өтініш келіп түскен күні тіркеледі.

### 2-тарау. Мерзімдер

3. Өтініш он бес жұмыс күні ішінде қаралады.

4. Мерзім ұзартылуы мүмкін:

1) орган басшысымен – екі айдан аспайтын мерзімге;

2) өтініш берушіге үш жұмыс күні ішінде хабарлай отырып.
"""
COMMENTS = [
    ("chp_2__para_3", "пятнадцати рабочих дней", "Пятнадцать рабочих дней – много для простых вопросов. Предлагаю десять."),
    ("chp_2__para_4__point_2", "", "Уведомлять заявителя нужно до истечения срока, а не после."),
    ("chp_1__para_2", "", "Өтініш демалыс күні түссе, қай күні тіркеледі? Нақтылау керек."),
    ("", "", "Жоба жақсы, бірақ өтініш берушінің жауапқа шағымдану тәртібі жоқ."),
]
DECISIONS = [
    (Decision.PARTLY, "Срок оставлен по закону (АППК, ст. 76), но для простых вопросов добавлен срок в пять рабочих дней."),
    (Decision.ACCEPTED, "Принято: уведомление направляется до истечения срока."),
    (Decision.ACCEPTED, "Ескерілді: демалыс күні түскен өтініш келесі жұмыс күні тіркеледі."),
    (Decision.NOT_ABOUT_DRAFT, "Шағымдану тәртібі ӘРПК-де белгіленген; бұл жобаның нысанасы емес."),
]


def _at(day: dt.date, hour: int = 10):
    return clock.frozen_at(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0))))


def _process(title_ru, official, opens_on, closes_on):
    existing = Process.objects.filter(synthetic=True, title_ru=title_ru).first()
    if existing:
        return existing, False
    with _at(opens_on, 9):
        return services.publish_draft(
            official,
            act_type="rules",
            title_kk=DRAFT_KK.splitlines()[0][2:],
            title_ru=title_ru,
            title_en="Rules for considering appeals received through the Ashyq platform (synthetic draft)",
            text_kk=DRAFT_KK,
            text_ru=DRAFT_RU,
            opens_on=opens_on,
            closes_on=closes_on,
            synthetic=True,
        ), True


def _comment_all(process, citizens, moderator, day):
    made = []
    with _at(day):
        for i, (eid, quote, text) in enumerate(COMMENTS):
            item = services.comment(citizens[i % len(citizens)], process, provision_eid=eid, quote=quote, text=text)
            services.moderate(moderator, item, "publish")
            made.append(item)
        services.set_stance(citizens[1], made[0], True)
    return made


def load_discussions() -> int:
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["demo-citizen", "demo-official-acc", "demo-moderator", "demo-monitor", "demo-official-gpo"]
        )
    }
    official, moderator = users["demo-official-acc"], users["demo-moderator"]
    citizens = [users["demo-citizen"], users["demo-monitor"]]
    today = clock.today()
    added = 0
    # 1. Reported and adopted: the whole procedure.
    title = DRAFT_RU.splitlines()[0][2:]
    process, created = _process(title, official, today - dt.timedelta(days=60), today - dt.timedelta(days=46))
    if created:
        added += 1
        comments = _comment_all(process, citizens, moderator, today - dt.timedelta(days=55))
        with _at(today - dt.timedelta(days=50)):
            services.reply(official, comments[0], "Спасибо, рассмотрим при доработке.")
            services.new_version(
                official,
                process,
                text_kk=DRAFT_KK.replace("он бес", "он бес (қарапайым сұрақтар бойынша – бес)"),
                text_ru=DRAFT_RU.replace("пятнадцати рабочих дней", "пятнадцати рабочих дней (по простым вопросам – пяти)"),
                note="Срок для простых вопросов – пять рабочих дней.",
            )
        with _at(today - dt.timedelta(days=44)):
            for item, (decision, reason) in zip(comments, DECISIONS):
                services.decide(official, item, decision, reason)
            services.publish_report(
                official, process, "Из четырёх замечаний два учтены, одно учтено частично, одно не относится к проекту."
            )
        with _at(today - dt.timedelta(days=30)):
            services.adopt(official, process, number="DEMO-1", adopted_on=today - dt.timedelta(days=30))
    # 2. Open now.
    process, created = _process(
        title.replace("(синтетический проект)", "(синтетический проект, редакция 2)"),
        official,
        today - dt.timedelta(days=3),
        today + dt.timedelta(days=11),
    )
    if created:
        added += 1
        _comment_all(process, citizens, moderator, today - dt.timedelta(days=2))
    # 3. Closed, report overdue: shown in red on the body page and the monitors' dashboard.
    process, created = _process(
        title.replace("(синтетический проект)", "(синтетический проект, редакция 3)"),
        users["demo-official-gpo"],
        today - dt.timedelta(days=50),
        today - dt.timedelta(days=36),
    )
    if created:
        added += 1
        _comment_all(process, citizens, moderator, today - dt.timedelta(days=45))
    return added


def publish_registers_as_datasets(warnings: list | None = None) -> int:
    """The registers as open-data datasets, through the catalogue's own services (so DCAT lists them). One a
    publisher withdrew (the dataset, its file's resource, or a version holding the same rows) is left alone, and
    `warnings` gets a line saying so (the log too): a reload never stops on it nor undoes it."""
    from ashyq.opendata import services as opendata
    from ashyq.opendata.models import Resource

    specs = [
        (
            "register-of-adopted-acts",
            "ministry-of-justice",
            "adopted-acts.csv",
            exports.acts_csv(),
            "CC0-1.0",
            (
                "Register of adopted acts (Open Legal Acts)",
                "Реестр принятых актов (Открытые НПА)",
                "Қабылданған актілер тізілімі (Ашық НҚА)",
            ),
            "Official texts, not objects of copyright (Law on Copyright and Related Rights, art. 8); copied from the public-domain compilation kazakhstan-law.",
        ),
        (
            "register-of-international-agreements",
            "ministry-of-foreign-affairs",
            "international-agreements.csv",
            exports.agreements_csv(),
            "CC-BY-4.0",
            (
                "International agreements of Kazakhstan known from published research",
                "Международные договоры Казахстана по опубликованным исследованиям",
                "Жарияланған зерттеулер бойынша Қазақстанның халықаралық шарттары",
            ),
            "Transcribed from published research; every row names its publication (authors, title, journal, issue, year, page or paragraph).",
        ),
    ]
    versions = 0
    for slug, body_slug, filename, data, licence, (en, ru, kk), source in specs:
        body = Body.objects.filter(slug=body_slug).first()
        if body is None:
            continue
        refused = opendata.republishing_refused(slug, filename, data)
        if refused:
            warning = opendata.not_published(log, "demo", f"{refused}.")
            if warnings is not None:
                warnings.append(warning)
            continue
        dataset = opendata.save_dataset(
            None,
            body,
            slug,
            title_en=en,
            title_ru=ru,
            title_kk=kk,
            description_en=en,
            description_ru=ru,
            description_kk=kk,
            licence=licence,
            frequency="irregular",
            tags=["legal-acts"],
            source=source,
        )
        resource = dataset.resources.active().filter(name=filename).first() or opendata.add_resource(
            None, dataset, filename, Resource.Format.CSV
        )
        current = resource.current_version
        if current is None or current.sha256 != hashlib.sha256(data).hexdigest():
            opendata.upload_version(None, resource, data, filename)
            versions += 1
    return versions


def load() -> dict:
    warnings = []
    return {
        "legal_acts": register.load_acts(),
        "agreements": register.load_agreements(),
        "legal_discussions": load_discussions(),
        "register_datasets": publish_registers_as_datasets(warnings),
        "warnings": warnings,
    }
