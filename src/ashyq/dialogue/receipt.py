"""The registration receipt of an appeal (number, date, body, due date), as a page and as a PDF.

The PDF is drawn with fpdf2 in a TrueType font that has Kazakh and Russian letters (settings.ASHYQ_PDF_FONT,
DejaVu Sans by default, from the system's fonts-dejavu-core package); no network, no browser.
"""

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _


def facts(appeal) -> list[tuple[str, str, bool]]:
    """The receipt's lines (label, value, whether the value is the applicant's own words), shared by the page and the
    PDF so they always say the same."""
    registered = appeal.events.filter(seq=1).values("at", "hash").first() or {}
    rows = [
        (_("Appeal number"), appeal.number or "", False),
        (_("Registered"), formats.date_format(appeal.registered_at, "d.m.Y H:i"), False),
        (_("To the head of"), str(appeal.addressed_body), False),
        (_("Type of appeal"), appeal.get_type_display(), False),
        (_("Subject"), appeal.subject, True),
        (_("Answer due by"), formats.date_format(appeal.due_on, "d.m.Y"), False),
        (_("Rules"), str(appeal.regulation), False),
    ]
    if appeal.body_id != appeal.addressed_body_id:
        rows.insert(3, (_("Now with"), str(appeal.body), False))
    if registered.get("hash"):
        rows.append((_("Record fingerprint (SHA-256)"), registered["hash"], False))
    return rows


class FontMissing(Exception):
    pass


def pdf(appeal) -> bytes:
    from pathlib import Path

    from fpdf import FPDF

    font = Path(settings.ASHYQ_PDF_FONT)
    if not font.is_file():
        raise FontMissing(str(font))
    doc = FPDF(format="A4")
    doc.set_title(_("Registration receipt") + f" {appeal.number}")
    doc.set_creator("Ashyq")
    doc.add_page()
    doc.add_font("Body", "", str(font))
    doc.set_font("Body", size=16)
    doc.multi_cell(0, 9, _("Registration receipt"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Body", size=11)
    doc.ln(3)
    for label, value, _theirs in facts(appeal):
        doc.set_text_color(90, 90, 90)
        doc.multi_cell(0, 6, label, new_x="LMARGIN", new_y="NEXT")
        doc.set_text_color(0, 0, 0)
        doc.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
        doc.ln(2)
    doc.ln(4)
    doc.set_font("Body", size=9)
    doc.multi_cell(
        0,
        5,
        _(
            "The body must answer by the due date; it may redirect the appeal to the competent body within "
            "three working days, or extend the term by a reasoned decision, and you are told each time. "
            "Every step: %(url)s"
        )
        % {"url": settings.ASHYQ_SITE_URL.rstrip("/") + f"/appeals/{appeal.pk}/"},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(doc.output())
