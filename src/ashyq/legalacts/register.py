"""Filling the registers: adopted acts from a folder of act_code/{meta.yaml, rus.md, kaz.md}, and international
agreements from data/agreements.json. Both are idempotent: loading twice changes nothing."""

import datetime as dt
import json
from pathlib import Path

import yaml
from django.db import transaction

from ashyq.bodies.models import Body
from ashyq.core import publications

from . import structure
from .models import ActStatus, ActVersion, AdoptedAct, Agreement, Citation, Provision

DATA = Path(__file__).resolve().parent / "data"
ACTS = DATA / "acts"
# Codes of the approving body in the compilation's metadata → Ashyq's body slugs.
BODY_CODES = {"101001000000": "presidential-administration", "103003000000": "ministry-of-internal-affairs"}
FORMS = {"ПРИК": "order", "ПОСТ": "decree", "УКАЗ": "decree", "ЗАК": "law", "КОД": "code"}
SOURCE_NOTE = (
    "Official text of the Republic of Kazakhstan, not an object of copyright (Law on Copyright and Related Rights, "
    "art. 8); copied verbatim from the public-domain compilation kazakhstan-law (Unlicense)."
)


def _date(value):
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)) if value else None


def _requisites(requisite: str) -> dict:
    """Number, registration number and date from a Russian requisite line (“… № 20-01-38.3. Зарегистрирован … 5 февраля 2020 года № 19983”)."""
    import re

    months = {
        m: i
        for i, m in enumerate(
            [
                "января",
                "февраля",
                "марта",
                "апреля",
                "мая",
                "июня",
                "июля",
                "августа",
                "сентября",
                "октября",
                "ноября",
                "декабря",
            ],
            start=1,
        )
    }
    out = {}
    m = re.search(r"№\s*([\w.\-/]+?)\.?\s+Зарегистрирован", requisite)
    if m:
        out["number"] = m.group(1)
    m = re.search(r"Зарегистрирован[^0-9]*(\d{1,2})\s+(\w+)\s+(\d{4})\s+года\s+№\s*(\d+)", requisite)
    if m and m.group(2) in months:
        out["registered_on"] = dt.date(int(m.group(3)), months[m.group(2)], int(m.group(1)))
        out["registration_number"] = m.group(4)
    return out


@transaction.atomic
def load_act(folder: Path) -> tuple[AdoptedAct, bool]:
    meta = yaml.safe_load((folder / "meta.yaml").read_text(encoding="utf-8"))
    code = str(meta["act_code"])
    existing = AdoptedAct.objects.filter(code=code).first()
    if existing:
        return existing, False
    texts = {"ru": (folder / "rus.md").read_text(encoding="utf-8"), "kk": (folder / "kaz.md").read_text(encoding="utf-8")}
    requisite = meta.get("requisite", "")
    body = Body.objects.filter(slug=BODY_CODES.get((meta.get("approved_by") or [""])[0], "")).first()
    repealed = "Утратил силу" in requisite
    act = AdoptedAct.objects.create(
        code=code,
        act_type=FORMS.get(meta.get("form"), "order"),
        title_ru=meta["title"]["rus"],
        title_kk=meta["title"]["kaz"],
        adopted_on=_date(meta.get("approved_on")),
        body=body,
        issuer_ru=body.name_ru if body else "",
        issuer_kk=body.name_kk if body else "",
        issuer_en=body.name_en if body else "",
        requisite_ru=requisite,
        status=ActStatus.REPEALED if repealed else ActStatus.IN_FORCE,
        status_note=requisite[requisite.index("Утратил силу") :] if repealed else "",
        source_url=(meta.get("source") or {}).get("rus", ""),
        source_note=SOURCE_NOTE,
        **_requisites(requisite),
    )
    caused_by = meta.get("caused_by") or {}
    version = ActVersion.objects.create(
        act=act,
        number=1,
        version_date=_date((meta.get("version_date") or {}).get("rus")),
        caused_by=caused_by.get("requisite", ""),
        text_ru=texts["ru"],
        text_kk=texts["kk"],
        source_url=(meta.get("source") or {}).get("rus", ""),
    )
    # Real texts differ slightly between languages (a form present in one only): keep what each has.
    rows = structure.merge(texts, require_same_structure=False)
    Provision.objects.bulk_create(Provision(act_version=version, order=i, **row) for i, row in enumerate(rows))
    return act, True


def load_acts(folder: Path = ACTS) -> int:
    return sum(load_act(sub)[1] for sub in sorted(folder.iterdir()) if (sub / "meta.yaml").exists())


@transaction.atomic
def load_agreements(path: Path = DATA / "agreements.json") -> int:
    added = 0
    for row in json.loads(path.read_text(encoding="utf-8")):
        row = dict(row)
        citations = row.pop("citations")
        for c in citations:
            if c["publication"] not in {p.key for p in publications.all_publications()}:
                raise ValueError(
                    f"{row['slug']}: {c['publication']!r} is not in the register of sources (ashyq/core/publications.py)"
                )
        if row.get("signed_on"):
            row["signed_on"] = _date(row["signed_on"])
        agreement, created = Agreement.objects.get_or_create(slug=row.pop("slug"), defaults=row)
        if created:
            added += 1
            Citation.objects.bulk_create(Citation(agreement=agreement, **c) for c in citations)
    return added
