"""Every CSV Ashyq writes goes through here, so that no cell runs as a formula when a spreadsheet opens it.

A cell that starts with =, +, -, @, a tab or a carriage return is read by Excel, LibreOffice and Google Sheets as a
formula (=HYPERLINK(...) sends the reader's data elsewhere, @SUM(...) and +cmd|... run). As OWASP's "CSV Injection"
page recommends, such a text cell is written with a leading apostrophe, which spreadsheets show as text and which
a program reading the CSV can strip. Numbers stay numbers: -12.5 is a value, not a formula; and a sign alone ("+",
"-", marks some tables use for yes and no) has nothing to compute. The JSON beside each CSV keeps the exact text.
"""

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value):
    """The value as a CSV cell that no spreadsheet evaluates; anything but text is returned unchanged."""
    if isinstance(value, str) and len(value) > 1 and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose every cell goes through safe_cell (the header too: a column name is a cell like any other)."""

    def __init__(self, stream, *args, **kwargs):
        self._writer = csv.writer(stream, *args, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(stream, *args, **kwargs) -> SafeWriter:
    return SafeWriter(stream, *args, **kwargs)
