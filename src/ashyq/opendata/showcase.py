"""The Silk Road cooperation explorer: datasets transcribed from published articles (data/*.csv, data/SOURCES.md),
published by the Ministry of Trade and Integration through the same services as any upload. Each dataset and
each row cites its publication from the registry (ashyq.core.publications), with the table where there is one."""

import datetime as dt
import logging
from pathlib import Path

from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ashyq.bodies.models import Body
from ashyq.core import countries as country_names
from ashyq.core import publications

from . import datastore, services
from .models import Dataset, Resource, Withdrawal

log = logging.getLogger(__name__)

DATA = Path(__file__).parent / "data"
MAKHAMBETALIYEV = "makhambetaliyev-kosherbayev-2020"

# slug, file, title en / ru / kk, start year, end year, spatial, tags, cited publications with their table (None: the whole article)
DATASETS = [
    (
        "kazakhstan-trading-partners-2019",
        "kazakhstan-trading-partners-2019.csv",
        "Kazakhstan's main trading partners, 2019",
        "Основные торговые партнёры Казахстана, 2019",
        "Қазақстанның негізгі сауда әріптестері, 2019",
        2019,
        2019,
        "Kazakhstan",
        ["trade"],
        [(MAKHAMBETALIYEV, 4)],
    ),
    (
        "uzbekistan-trading-partners-2019",
        "uzbekistan-trading-partners-2019.csv",
        "Uzbekistan's main trading partners, 2019",
        "Основные торговые партнёры Узбекистана, 2019",
        "Өзбекстанның негізгі сауда әріптестері, 2019",
        2019,
        2019,
        "Uzbekistan",
        ["trade"],
        [(MAKHAMBETALIYEV, 3)],
    ),
    (
        "central-asia-mutual-trade-shares",
        "central-asia-mutual-trade-shares.csv",
        "Shares of Central Asian countries in mutual trade, 2017-2019",
        "Доли стран Центральной Азии во взаимной торговле, 2017-2019",
        "Орталық Азия елдерінің өзара саудадағы үлесі, 2017-2019",
        2017,
        2019,
        "Central Asia",
        ["trade"],
        [(MAKHAMBETALIYEV, 2)],
    ),
    (
        "doing-business-kz-uz",
        "doing-business.csv",
        "Doing Business indicators of Kazakhstan and Uzbekistan",
        "Показатели Казахстана и Узбекистана в рейтинге Doing Business",
        "Қазақстан мен Өзбекстанның Doing Business көрсеткіштері",
        2020,
        2020,
        "Kazakhstan; Uzbekistan",
        ["business"],
        [(MAKHAMBETALIYEV, 1)],
    ),
    (
        "regional-trade-agreements",
        "regional-trade-agreements.csv",
        "Participation of Kazakhstan and Uzbekistan in regional trade agreements",
        "Участие Казахстана и Узбекистана в региональных торговых соглашениях",
        "Қазақстан мен Өзбекстанның өңірлік сауда келісімдеріне қатысуы",
        2020,
        2020,
        "Kazakhstan; Uzbekistan",
        ["trade", "agreements"],
        [(MAKHAMBETALIYEV, 5)],
    ),
    (
        "uzbek-competition-russian-market",
        "uzbek-competition-russian-market.csv",
        "Goods where Uzbekistan competes with Kazakhstan on the Russian market (HS codes)",
        "Товары, по которым Узбекистан конкурирует с Казахстаном на рынке России (коды ТН ВЭД)",
        "Ресей нарығында Өзбекстан Қазақстанмен бәсекелесетін тауарлар (СЭҚ ТН кодтары)",
        2019,
        2019,
        "Russia; Kazakhstan; Uzbekistan",
        ["trade"],
        [(MAKHAMBETALIYEV, 6)],
    ),
    (
        "silk-road-projects",
        "projects.csv",
        "Belt and Road and regional projects named in the references",
        "Проекты «Пояса и пути» и региональные проекты, названные в источниках",
        "Дереккөздерде аталған «Белдеу және жол» мен өңірлік жобалар",
        1997,
        2024,
        "Central Asia; Asia",
        ["projects", "belt-and-road"],
        [("malibekova-2020", None), ("one-belt-one-way-2019", None), (MAKHAMBETALIYEV, None), ("zhekenov-hu-orazakynkyzy", None)],
    ),
    (
        "humanitarian-aid",
        "humanitarian-aid.csv",
        "Humanitarian aid named in the references",
        "Гуманитарная помощь, названная в источниках",
        "Дереккөздерде аталған гуманитарлық көмек",
        2020,
        2020,
        "Kazakhstan; Kyrgyzstan; Tajikistan",
        ["aid"],
        [("malibekova-2020", None)],
    ),
    (
        "silk-road-agreements",
        "agreements.csv",
        "Agreements named in the references",
        "Соглашения, названные в источниках",
        "Дереккөздерде аталған келісімдер",
        1997,
        2019,
        "Kazakhstan; China; Uzbekistan",
        ["agreements"],
        [("one-belt-one-way-2019", None), (MAKHAMBETALIYEV, None), ("zhekenov-hu-orazakynkyzy", None)],
    ),
]


def load_showcase() -> dict:
    body = Body.objects.get(slug="ministry-of-trade-and-integration")
    created, warnings = 0, []
    for slug, filename, en, ru, kk, start, end, spatial, tags, cited in DATASETS:
        withdrawal = Withdrawal.objects.filter(dataset__slug=slug).order_by("-withdrawn_at").first()
        if withdrawal is not None:
            # Withdrawn (all or part) by its publisher: never published again by a reload, which says so.
            warnings.append(_left_alone(slug, withdrawal))
            continue
        source = {
            lang: " ".join(publications.cite(key, table=table, lang=lang) for key, table in cited) for lang in ("en", "ru", "kk")
        }
        description_en = f"{en}, transcribed from: {source['en']} Each row cites its publication and table."
        dataset = services.save_dataset(
            None,
            body,
            slug,
            title_en=en,
            title_ru=ru,
            title_kk=kk,
            description_en=description_en,
            description_ru=f"{ru}. Данные взяты из публикации: {source['ru']} У каждой строки указаны публикация и таблица.",
            description_kk=f"{kk}. Деректер жарияланымнан алынды: {source['kk']} Әр жолда жарияланым мен кесте көрсетілген.",
            licence="CC-BY-4.0",
            temporal_start=dt.date(start, 1, 1),
            temporal_end=dt.date(end, 12, 31),
            spatial=spatial,
            frequency="never",
            tags=tags,
            source=source["en"],
        )
        resource = dataset.resources.first() or services.add_resource(None, dataset, filename, Resource.Format.CSV)
        data = (DATA / filename).read_bytes()
        current = resource.current_version
        if current is None or current.sha256 != __import__("hashlib").sha256(data).hexdigest():
            version = services.upload_version(None, resource, data, filename)
            if not version.valid:
                raise ValueError(f"{filename} does not validate: {version.report[:3]}")
            created += 1
    return {"showcase_datasets": len(DATASETS), "showcase_versions": created, "warnings": warnings}


def _left_alone(slug, withdrawal) -> str:
    with translation.override("en"):
        scope = str(withdrawal.get_scope_display())
    what = "the showcase dataset" if withdrawal.scope == Withdrawal.Scope.DATASET else f"{scope} of the showcase dataset"
    why = f"{what} {slug} was withdrawn {services.withdrawn_on(withdrawal)}; a reload leaves it alone."
    return services.not_published(log, "showcase", why)


def row_source(row: dict) -> str:
    """The publication(s) a showcase row cites, in the active language, with its table when it has one."""
    return " ".join(publications.cite(key, table=row.get("source_table")) for key in str(row["source_publication"]).split(";"))


def rows(slug) -> list[dict]:
    """The current rows of a showcase dataset's first resource, as dicts."""
    dataset = Dataset.objects.filter(slug=slug).first()
    resource = dataset and dataset.resources.first()
    version = resource and resource.current_version
    if not version:
        return []
    names = [f["name"] for f in version.schema["fields"]]
    return [dict(zip(names, row)) for row in datastore.all_rows(version)]


# --- the Silk Road explorer's reading of the datasets (showcase_views.py, comparison.py) ----------------------

KZ = "kazakhstan-trading-partners-2019"
UZ = "uzbekistan-trading-partners-2019"
NOT_COUNTRIES = {"TOTAL", "Others", "Other countries"}


def countries() -> dict:
    """{slug: name} of every country the showcase datasets mention."""
    names = {r["partner"] for r in rows(KZ) + rows(UZ)} - NOT_COUNTRIES
    names |= {r["country"] for r in rows("central-asia-mutual-trade-shares")}
    names |= {c for r in rows("silk-road-projects") for c in r["recipient_country"].split(";")}
    return {slugify(n): n for n in names}


# What the datasets say in words of their own about who gives and who receives, and the kinds of activity: shown in
# the reader's language (countries come from CLDR through core.countries; organisations stay as their sources name them).
PHRASES = {
    "countries along the route": _("countries along the route"),
    "almost 150 countries and 4 international organizations": _("almost 150 countries and 4 international organisations"),
    "126 states and 29 international organizations": _("126 states and 29 international organisations"),
    "Belt and Road Forum participants": _("Belt and Road Forum participants"),
    "CIS countries incl. Kazakhstan and Uzbekistan": _("CIS countries, Kazakhstan and Uzbekistan among them"),
    "European Union (funder)": _("European Union (funder)"),
}
KINDS = {
    "Trade": _("Trade"),
    "Energy": _("Energy"),
    "Industry": _("Industry"),
    "Mining": _("Mining"),
    "Transport and infrastructure": _("Transport and infrastructure"),
    "Humanitarian aid": _("Humanitarian aid"),
    "Agreement": _("Agreement"),
}


def shown_parties(text: str) -> list[tuple[str, bool]]:
    """Who gives or receives, as (shown, translated) parts in the reader's language."""
    return country_names.parts(text, phrases=PHRASES)


def mentions(name, *values) -> bool:
    """Is the country (as the reader typed it, in any of the three languages) named in one of the values?"""
    return any(country_names.matches(name, v or "") for v in values)


def activities(where="", who="", what="", when="") -> list[dict]:
    """Projects, aid and agreements of the Silk Road datasets, filtered openaid-style by country, donor, sector, year."""
    out = []
    for r in rows("silk-road-projects"):
        out.append(
            {
                "kind": "project",
                "title": r["title"],
                "to": r["recipient_country"],
                "from": r["participating_orgs"],
                "what": r["sector"],
                "when": r["period"] or "",
                "status": r["status_words"],
                "source": row_source(r),
            }
        )
    for r in rows("humanitarian-aid"):
        out.append(
            {
                "kind": "aid",
                "title": r["what"],
                "to": r["recipient"],
                "from": r["donor"],
                "what": "Humanitarian aid",
                "when": "2020",
                "status": r["quantity"],
                "source": row_source(r),
            }
        )
    for r in rows("silk-road-agreements"):
        out.append(
            {
                "kind": "agreement",
                "title": r["title"],
                "to": r["parties"],
                "from": r["parties"],
                "what": "Agreement",
                "when": str(r["year"] or ""),
                "status": r["what_the_reference_says"],
                "source": row_source(r),
            }
        )
    for a in out:
        a["to_shown"], a["from_shown"] = shown_parties(a["to"]), shown_parties(a["from"])
        a["what_shown"] = str(KINDS.get(a["what"], a["what"]))
    return [
        a
        for a in out
        if (not where or mentions(where, a["to"]))
        and (not who or mentions(who, a["from"]))
        and (not what or what.lower() in a["what"].lower() or what.lower() in a["what_shown"].lower())
        and (not when or when in a["when"])
    ]


def country_activities(name) -> list[dict]:
    """A country page's list: the activities naming the country as recipient, then as giver where not also recipient."""
    return activities(where=name) + [a for a in activities(who=name) if not mentions(name, a["to"])]
