"""Kazakhstan's partners side by side, from the Silk Road showcase datasets (showcase.py): trade with Kazakhstan and
with Uzbekistan in 2019, shares in Central Asia's mutual trade, regional trade agreements, and how many projects, aid
and agreements the references name for each. A figure the references do not give is None, never 0.

Projects, aid and agreements are counted with the country page's own rule (a country named as recipient, party or
participant), so the two pages always agree."""

import math

from django.utils.translation import gettext_lazy as _

from ashyq.core import charts
from ashyq.core import countries as country_names

from .showcase import KZ, UZ, countries, country_activities, rows

MAX_COUNTRIES = 8
# The home country and the regions the projects name are not partners to compare.
NOT_PARTNERS = {"Kazakhstan", "Central Asia", "Europe", "Asia"}
DEFAULT = ["china", "russia", "uzbekistan", "kyrgyzstan", "tajikistan"]
SOURCES = [
    KZ,
    UZ,
    "central-asia-mutual-trade-shares",
    "regional-trade-agreements",
    "silk-road-projects",
    "humanitarian-aid",
    "silk-road-agreements",
]
RTA = {"+": _("operating"), "X": _("notified"), "-": _("none")}
COLOURS = [("#00538a", False), ("#a4161a", True), ("#1d6b32", False), ("#8a5300", True)]

# (key, label) in the order of the downloads and of the side-by-side table.
MEASURES = [
    ("kz_turnover_musd", _("Trade with Kazakhstan, 2019: turnover, million US dollars")),
    ("kz_export_musd", _("Kazakhstan's exports to the country, million US dollars")),
    ("kz_import_musd", _("Kazakhstan's imports from the country, million US dollars")),
    ("kz_share_pct", _("Share of Kazakhstan's trade, per cent")),
    ("uz_turnover_musd", _("Trade with Uzbekistan, 2019: turnover, million US dollars")),
    ("ca_share_2017_pct", _("Share of Central Asia's mutual trade, 2017, per cent")),
    ("ca_share_2018_pct", _("Share of Central Asia's mutual trade, 2018, per cent")),
    ("ca_share_2019_pct", _("Share of Central Asia's mutual trade, 2019, per cent")),
    ("rta_with_kazakhstan", _("Regional trade agreement with Kazakhstan")),
    ("projects", _("Projects named in the references")),
    ("aid", _("Humanitarian aid named in the references")),
    ("agreements", _("Agreements named in the references")),
]


def partners() -> dict:
    """slug -> name of every partner that can be compared, in alphabetical order of names."""
    return dict(sorted(((slug, name) for slug, name in countries().items() if name not in NOT_PARTNERS), key=lambda c: c[1]))


def shown(known: dict) -> list[tuple[str, str]]:
    """(slug, name in the reader's language), in the alphabetical order of the names the reader sees."""
    return sorted(((slug, country_names.name(name)) for slug, name in known.items()), key=lambda c: c[1].casefold())


def choose(requested: list[str], known: dict) -> tuple[list[str], list[str]]:
    """The slugs to compare (in the order asked, once each) and the problems with the request, in plain words."""
    problems, chosen = [], []
    for slug in requested:
        if slug not in known:
            problems.append(_("There is no partner country “%(slug)s” in the data; choose from the list.") % {"slug": slug[:60]})
        elif slug not in chosen:
            chosen.append(slug)
    if len(chosen) > MAX_COUNTRIES:
        problems.append(_("Choose at most %(n)d countries: the charts stay readable.") % {"n": MAX_COUNTRIES})
        chosen = chosen[:MAX_COUNTRIES]
    return chosen, problems


def _by_partner(slug):
    return {r["partner"]: r for r in rows(slug)}


def records(slugs: list[str], known: dict) -> list[dict]:
    kz, uz = _by_partner(KZ), _by_partner(UZ)
    shares = {r["country"]: r for r in rows("central-asia-mutual-trade-shares")}
    rta = _by_partner("regional-trade-agreements")
    out = []
    for slug in slugs:
        name = known[slug]
        k, u, s = kz.get(name, {}), uz.get(name, {}), shares.get(name, {})
        # The country page's list: named as recipient, then as giver where not also recipient.
        found = country_activities(name)
        out.append(
            {
                "slug": slug,
                "name": name,
                "shown": country_names.name(name),
                "kz_rank": k.get("rank"),
                "kz_turnover_musd": k.get("turnover_musd"),
                "kz_export_musd": k.get("export_musd"),
                "kz_import_musd": k.get("import_musd"),
                "kz_share_pct": k.get("share_pct"),
                "uz_turnover_musd": u.get("turnover_musd"),
                "ca_share_2017_pct": s.get("share_2017_pct"),
                "ca_share_2018_pct": s.get("share_2018_pct"),
                "ca_share_2019_pct": s.get("share_2019_pct"),
                "rta_with_kazakhstan": rta[name]["kazakhstan"] if name in rta else None,
                "projects": sum(a["kind"] == "project" for a in found),
                "aid": sum(a["kind"] == "aid" for a in found),
                "agreements": sum(a["kind"] == "agreement" for a in found),
            }
        )
    return out


def _label(name: str, slots: int) -> str:
    """A name short enough for its place under a bar (the table beside the chart has it whole)."""
    name = name.removeprefix("The ")
    room = max(6, int((charts.WIDTH - charts.LEFT - 10) / max(slots, 1) / 6.5))
    return name if len(name) <= room else name[: room - 1] + "…"


def turnover_chart(table: list[dict]) -> str:
    labels = [_label(r["shown"], len(table)) for r in table]
    # Whole millions: the axis label has room for five digits; the table beside has the figures as given.
    return charts.bar_chart(labels, [round(r["kz_turnover_musd"] or 0) for r in table], title_id="turnover-title")


def activities_chart(table: list[dict]) -> str:
    labels = [_label(r["shown"], len(table)) for r in table]
    return charts.bar_chart(
        labels, [r["projects"] + r["aid"] + r["agreements"] for r in table], title_id="activities-title", colour="#1d6b32"
    )


def shares_chart(table: list[dict]) -> str | None:
    """Shares in Central Asia's mutual trade, 2017-2019, a line a country (only countries the table gives)."""
    with_shares = [r for r in table if r["ca_share_2019_pct"] is not None][: len(COLOURS)]
    if not with_shares:
        return None
    top = max(
        v for r in with_shares for v in (r["ca_share_2017_pct"], r["ca_share_2018_pct"], r["ca_share_2019_pct"]) if v is not None
    )
    y_max = max(10, math.ceil(top / 10) * 10)
    series = [
        (r["shown"], colour, [r["ca_share_2017_pct"], r["ca_share_2018_pct"], r["ca_share_2019_pct"]], dash)
        for r, (colour, dash) in zip(with_shares, COLOURS)
    ]
    return charts.line_chart(["2017", "2018", "2019"], series, title_id="shares-title", y_max=y_max, y_label_step=y_max / 5)
