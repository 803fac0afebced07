"""What each column of a table means, in the reader's language: its title and description, and its type in words.

A Table Schema field has a name (a code: `turnover_musd`), and may have a title and a description. Where the
publisher's schema gives them, the page shows them as written. The columns of the datasets Ashyq itself publishes
(the Silk Road showcase, the appeals export's figures) have their titles and descriptions in the catalog, so they read
in Kazakh, Russian and English; any other column shows its name, which is the publisher's own."""

from django.utils.translation import gettext_lazy as _

# Column name -> (title, description) of the columns of Ashyq's own datasets.
KNOWN = {
    "rank": (_("Rank"), _("Place among the country's trading partners by turnover.")),
    "partner": (_("Partner country"), _("The country as the source names it.")),
    "country": (_("Country"), _("The country as the source names it.")),
    "turnover_musd": (_("Turnover, million US dollars"), _("Exports and imports together, in the year of the table.")),
    "export_musd": (_("Exports, million US dollars"), None),
    "import_musd": (_("Imports, million US dollars"), None),
    "share_pct": (_("Share of trade, per cent"), _("The partner's share of the country's foreign trade turnover.")),
    "share_2017_pct": (_("Share in 2017, per cent"), _("The country's share of Central Asia's mutual trade.")),
    "share_2018_pct": (_("Share in 2018, per cent"), _("The country's share of Central Asia's mutual trade.")),
    "share_2019_pct": (_("Share in 2019, per cent"), _("The country's share of Central Asia's mutual trade.")),
    "uzbekistan": (_("Uzbekistan"), _("+ operating, X notified, - none.")),
    "kazakhstan": (_("Kazakhstan"), _("+ operating, X notified, - none.")),
    "uzbekistan_rank": (_("Uzbekistan's rank"), _("Place in the Doing Business ranking.")),
    "kazakhstan_rank": (_("Kazakhstan's rank"), _("Place in the Doing Business ranking.")),
    "indicator": (_("Indicator"), None),
    "no": (_("No."), None),
    "hs_code": (_("Commodity code"), _("Heading of the Harmonized System (HS) of commodity codes.")),
    "title": (_("Name"), _("As the source writes it, in English.")),
    "rf_import_from_uz_musd": (_("Russia's imports from Uzbekistan, million US dollars"), None),
    "uz_total_export_musd": (_("Uzbekistan's total exports, million US dollars"), None),
    "rf_import_from_kz_musd": (_("Russia's imports from Kazakhstan, million US dollars"), None),
    "kz_total_export_musd": (_("Kazakhstan's total exports, million US dollars"), None),
    "rf_total_import_musd": (_("Russia's total imports, million US dollars"), None),
    "identifier": (_("Identifier"), None),
    "recipient_country": (_("Recipient country"), _("Countries separated by semicolons.")),
    "sector": (_("Sector"), None),
    "participating_orgs": (_("Participating organisations"), _("Separated by semicolons.")),
    "amount_usd": (_("Amount, US dollars"), None),
    "amount_note": (_("About the amount"), _("As the source writes it, in English.")),
    "period": (_("Period"), None),
    "status_words": (_("What the reference says"), _("As the source writes it, in English.")),
    "iati_status": (_("Status (IATI code list)"), None),
    "donor": (_("Donor"), None),
    "recipient": (_("Recipient"), None),
    "what": (_("What was given"), None),
    "quantity": (_("Quantity"), None),
    "context": (_("Context"), _("As the source writes it, in English.")),
    "parties": (_("Parties"), _("Separated by semicolons.")),
    "year": (_("Year"), None),
    "what_the_reference_says": (_("What the reference says"), _("As the source writes it, in English.")),
    "source_publication": (_("Source publication"), _("The publication's key in Ashyq's register of sources.")),
    "source_table": (_("Table of the source"), _("The table of the publication the row comes from, if any.")),
}

TYPES = {
    "string": _("text"),
    "integer": _("whole number"),
    "number": _("number"),
    "boolean": _("yes or no"),
    "date": _("date"),
    "datetime": _("date and time"),
    "time": _("time"),
    "year": _("year"),
    "yearmonth": _("year and month"),
    "geopoint": _("point on the map"),
    "duration": _("duration"),
    "any": _("any value"),
}


def columns(schema: dict) -> list[dict]:
    """Each field of a Table Schema as name (the code), title and description in the reader's language, and type."""
    out = []
    for field in schema.get("fields", []):
        name = field["name"]
        known_title, known_description = KNOWN.get(name, (None, None))
        title = field.get("title") or (str(known_title) if known_title else "")
        description = field.get("description") or (str(known_description) if known_description else "")
        kind = field.get("type", "string")
        out.append(
            {
                "name": name,
                "title": title,
                "description": description,
                "type": str(TYPES.get(kind, kind)),
                # A title or description the publisher wrote is theirs; Ashyq's own are in the reader's language.
                "publisher_title": bool(field.get("title")),
                "publisher_description": bool(field.get("description")),
            }
        )
    return out
