"""Copy a live SQLite database with SQLite's online backup API (docs/operations.md, section 4).

A plain `cp` of a database in WAL mode while Ashyq writes to it can copy the main file and the
write-ahead log at different moments and produce a broken or inconsistent file. The backup API
copies one consistent state of the database, whatever the writers do meanwhile, and needs no
sqlite3 command-line tool on the server.
"""

import os
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Back up the SQLite database (DATABASE_URL) to OUT with SQLite's online backup API, then check the copy."

    def add_arguments(self, parser):
        parser.add_argument("out", help="Path of the backup file to write; it must not exist yet.")

    def handle(self, *args, out, **options):
        if connection.vendor != "sqlite":
            raise CommandError(
                f"The database is {connection.vendor}, not SQLite; back PostgreSQL up with pg_dump (docs/operations.md)."
            )
        target = Path(out).resolve()
        if target.exists():
            raise CommandError(f"{target} exists; choose a new file name (backups are never overwritten).")
        if not target.parent.is_dir():
            raise CommandError(f"{target.parent} is not a directory.")
        # Write beside the target and rename at the end, so a half-written file never carries the backup's name.
        partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
        connection.ensure_connection()
        try:
            copy = sqlite3.connect(partial)
            try:
                connection.connection.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
                (check,) = copy.execute("PRAGMA integrity_check").fetchone()
                if check != "ok":
                    raise CommandError(f"The copy failed SQLite's integrity check: {check}")
                appeals = copy.execute("SELECT count(*) FROM dialogue_appeal").fetchone()[0]
            finally:
                copy.close()
            os.replace(partial, target)
        finally:
            if partial.exists():
                partial.unlink()
        self.stdout.write(self.style.SUCCESS(f"Backed up {connection.settings_dict['NAME']} to {target} ({appeals} appeals)."))
