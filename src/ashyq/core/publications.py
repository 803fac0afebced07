"""The publications Ashyq's own content cites, and how a citation is written.

Data that Ashyq ships from a published source (the Silk Road showcase, and the agreements, budget figures or
legal acts other apps take from the literature) cites it from here: author, title, journal, publisher, issue,
year and pages, in each language the publication itself gives its title in, plus the table or page the
figure stands on. One registry, so a source is written the same way on every page, export and API answer,
and never as a file of the development references. Apps with sources of their own add them with `register`.
"""

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

LANGUAGES = ("kk", "ru", "en")

# The journal issue most of the references come from, as its front matter gives it.
KAZISS = {
    "en": "Kazakhstan Institute for Strategic Studies under the President of the Republic of Kazakhstan",
    "kk": "Қазақстан Республикасының Президенті жанындағы Қазақстан стратегиялық зерттеулер институты",
    "ru": "Казахстанский институт стратегических исследований при Президенте Республики Казахстан",
}
CENTRAL_ASIAS_AFFAIRS = {
    "journal": "Central Asia's Affairs",
    "publisher": KAZISS,
    "issue": "4/2020",
    "year": 2020,
    "issn": "2414-570X",
}


@dataclass(frozen=True)
class Publication:
    key: str
    # Per language, as the publication prints them; a language it has no title in falls back to English.
    authors: dict
    title: dict
    year: int | None = None
    journal: str = ""
    publisher: dict = field(default_factory=dict)
    issue: str = ""
    issn: str = ""
    first_page: int | None = None
    last_page: int | None = None
    date: str = ""  # the day of a web article

    def _in(self, values: dict, lang: str) -> str:
        return values.get(lang) or values.get("en") or next(iter(values.values()), "")

    def cite(self, table=None, page=None, lang: str | None = None) -> str:
        """The citation in `lang` (default: the active language), pointing at a table or page when given."""
        lang = lang if lang in LANGUAGES else (translation.get_language() or "en")[:2]
        if lang not in LANGUAGES:
            lang = "en"
        with translation.override(lang):
            parts = []
            authors = self._in(self.authors, lang)
            head = f"{authors}. {self._in(self.title, lang)}" if authors else self._in(self.title, lang)
            parts.append(head)
            where = self.journal
            if where and self.publisher:
                where = f"{where} ({self._in(self.publisher, lang)})"
            elif self.publisher:
                where = self._in(self.publisher, lang)
            if where:
                parts.append(where)
            if self.issue:
                parts.append(_("no. %(issue)s") % {"issue": self.issue})
            elif self.date:
                parts.append(self.date)
            elif self.year:
                parts.append(str(self.year))
            if self.issn:
                parts.append(f"ISSN {self.issn}")
            if page is not None:
                parts.append(_("p. %(page)s") % {"page": page})
            elif self.first_page and self.last_page:
                parts.append(_("pp. %(first)s–%(last)s") % {"first": self.first_page, "last": self.last_page})
            elif self.first_page:
                parts.append(_("pp. %(first)s ff.") % {"first": self.first_page})
            if table is not None and table != "":
                parts.append(_("table %(table)s") % {"table": table})
            return ", ".join(parts) + "."


_REGISTRY: dict[str, Publication] = {}


def register(publication: Publication) -> Publication:
    if publication.key in _REGISTRY and _REGISTRY[publication.key] != publication:
        raise ValueError(f"another publication is registered as {publication.key!r}")
    _REGISTRY[publication.key] = publication
    return publication


def get(key: str) -> Publication:
    return _REGISTRY[key]


def cite(key: str, table=None, page=None, lang: str | None = None) -> str:
    return get(key).cite(table=table, page=page, lang=lang)


def all_publications() -> list[Publication]:
    return sorted(_REGISTRY.values(), key=lambda p: p.key)


register(
    Publication(
        key="makhambetaliyev-kosherbayev-2020",
        authors={
            "en": "Zhomart Makhambetaliyev, Sagyndyk Kosherbayev",
            "kk": "Жомарт Махамбеталиев, Сағындық Кошербаев",
            "ru": "Жомарт Махамбеталиев, Сагындык Кошербаев",
        },
        title={
            "en": "Kazakhstan and Uzbekistan: Expansion of Trade and Economic Cooperation",
            "kk": "Қазақстан мен Өзбекстан: сауда-экономикалық ынтымақтастықты кеңейту",
            "ru": "Казахстан и Узбекистан: расширение торгово-экономического сотрудничества",
        },
        first_page=17,
        last_page=26,
        **CENTRAL_ASIAS_AFFAIRS,
    )
)
register(
    Publication(
        key="akhmetzharov-2020",
        authors={"en": "Slyamzhar Akhmetzharov", "kk": "Слямжар Ахметжаров", "ru": "Слямжар Ахметжаров"},
        title={
            "en": "Analysis of the Open Dialogue Platform: The Case of Anti-Corruption Agency",
            "kk": "Ашық диалог платформасын талдау: сыбайлас жемқорлыққа қарсы агенттік кейсі",
            "ru": "Анализ платформы открытого диалога: кейс антикоррупционного агентства",
        },
        first_page=33,
        last_page=42,
        **CENTRAL_ASIAS_AFFAIRS,
    )
)
register(
    Publication(
        key="mustafayev-2020",
        authors={"en": "Bakhtiyor Mustafayev", "kk": "Бахтиёр Мустафаев", "ru": "Бахтиёр Мустафаев"},
        title={
            "en": "Fergana Valley is a Space of Opportunity, Friendship and Good Neighbourhood",
            "kk": "Ферғана алқабы - мүмкіндіктер, достық және тату көршілік алаңы",
            "ru": "Ферганская долина – пространство возможностей, дружбы и добрососедства",
        },
        first_page=7,
        last_page=16,
        **CENTRAL_ASIAS_AFFAIRS,
    )
)
register(
    Publication(
        key="malibekova-2020",
        authors={"en": "Assyl Malibekova", "kk": "Асыл Малибекова", "ru": "Асыл Малибекова"},
        title={
            "en": "Development of Cooperation Between Countries along the Silk Road Economic Belt During the Covid-19 Pandemic",
            "kk": "Covid-19 пандемиясы кезінде Жібек жолының экономикалық белдеуі бойындағы елдердің ынтымақтастығын дамыту",
            "ru": "Развитие сотрудничества стран вдоль Экономического пояса Шёлкового пути во время пандемии COVID-19",
        },
        first_page=52,
        **CENTRAL_ASIAS_AFFAIRS,
    )
)
register(
    Publication(
        key="one-belt-one-way-2019",
        authors={},
        title={
            "en": "“One belt, one way” a new model of regional cooperation",
            "kk": "«Бір белдеу, бір жол» — өңірлік ынтымақтастықтың жаңа моделі",
            "ru": "«Один пояс, один путь» — новая модель регионального сотрудничества",
        },
        publisher={"en": "Kazakhstan 2050", "kk": "Қазақстан 2050", "ru": "Казахстан 2050"},
        year=2019,
        date="30.04.2019",
    )
)
register(
    Publication(
        key="bugayenko-bri",
        authors={"en": "Anton Bugayenko"},
        title={"en": "BRI – China's Plan for a New World Order"},
        publisher={"en": "Eurasian Association for International Studies in Kazakhstan"},
    )
)
register(
    Publication(
        key="zhekenov-hu-orazakynkyzy",
        authors={
            "en": "D. Zhekenov, Hu Haixin, F. Orazakynkyzy",
            "kk": "Д. Жекенов, Ху Хайсинь, Ф. Оразақынқызы",
            "ru": "Д. Жекенов, Ху Хайсинь, Ф. Оразақынқызы",
        },
        title={
            "en": "Some obstacles of bilateral business relations between Kazakhstan and China",
            "kk": "Қазақстан мен Қытай арасындағы екі жақты іскерлік қатынастардың кейбір қиыншылықтары",
            "ru": "Некоторые сложности двусторонних деловых отношений между Казахстаном и Китаем",
        },
        publisher={
            "en": "Al-Farabi Kazakh National University",
            "kk": "Әл-Фараби атындағы Қазақ ұлттық университеті",
            "ru": "Казахский национальный университет имени аль-Фараби",
        },
    )
)
