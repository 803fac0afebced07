"""Full-text search over the public record (public_subject + public_text), in Kazakh and Russian.

Only the moderated public copies are indexed and searched; the original subject and text never are.

Words are matched case-insensitively as prefixes ("жол" finds "Жолдың", "дорог" finds "Дороги"),
every word of the query must occur, and no language-specific stemming is applied (config 'simple'),
so Kazakh and Russian behave alike.

- PostgreSQL: `to_tsvector('simple', public_subject || ' ' || public_text)` matched against a prefix
  tsquery; a GIN index on exactly that expression finds the matches. Ranking is bounded: ts_rank
  recomputes the vector from the text of every row it ranks (~15 microseconds each), and ranking
  every match of a common word at 1M appeals took 230-460 ms (docs/benchmarks.md). Only the
  RANK_WINDOW newest matches are ranked, best first; older matches follow them, newest first. The
  list page says so (`ordering()`).
- SQLite (the embedded default): an FTS5 table `ashyq_appeal_search` (tokenizer unicode61, which
  folds the case of Cyrillic letters, Kazakh ones included) holds a copy of the public texts, kept
  up to date by triggers on the appeal table, so it follows every write, however moderation makes
  it (save(), update(), raw SQL). Results come newest first (no ranking).

The search structures and the indexes behind the public list are not in the models' Meta (they are
vendor-specific); `ensure_structures()` creates whatever is missing. It runs after every `migrate`
(post_migrate, connected in dialogue/apps.py), which also repairs them after a migration rebuilt the
appeal table on SQLite (a rebuild drops triggers and indexes Django does not know about).
"""
import re

from django.db import connection as default_connection
from django.db import connections
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

FTS_TABLE = "ashyq_appeal_search"
PG_SEARCH_INDEX = "appeal_public_search_gin"
MAX_TERMS = 8
MAX_TERM_LENGTH = 40
# PostgreSQL ranks at most this many matches (the newest ones); the rest follow, newest first.
RANK_WINDOW = 1000

# Partial indexes over published appeals only: the public list and the body pages read them newest first.
_PUBLISHED_SQL = "is_public AND published_at IS NOT NULL AND hidden_at IS NULL"
PARTIAL_INDEXES = {
    "appeal_public_recent": "(registered_at DESC, id DESC)",
    "appeal_public_body_recent": "(body_id, registered_at DESC, id DESC)",
}


def terms(query: str) -> list[str]:
    """The words of a query, case-folded: letters and digits only, so nothing reaches the engine as syntax."""
    words = re.findall(r"\w+", (query or "").casefold())
    return [w[:MAX_TERM_LENGTH] for w in words if w.strip("_")][:MAX_TERMS]


def _vector():
    from django.contrib.postgres.search import SearchVector

    return SearchVector("public_subject", "public_text", config="simple")


def ordering(db: str = "default") -> dict:
    """How search results are ordered on this database, for the page to say: ranked within a window or newest first."""
    if connections[db].vendor == "postgresql":
        return {"ranked": True, "window": RANK_WINDOW}
    return {"ranked": False, "window": None}


def search(qs: QuerySet, query: str) -> QuerySet:
    """Narrow `qs` (already limited to what the viewer may see) to appeals whose public copy matches.

    On PostgreSQL the RANK_WINDOW newest matches come first, best match first (ts_rank), then the
    older matches, newest first; elsewhere every match comes newest first.
    """
    words = terms(query)
    if not words:
        return qs
    vendor = connections[qs.db].vendor
    if vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        tsquery = SearchQuery(" & ".join(f"{_pg_quote(w)}:*" for w in words), search_type="raw", config="simple")
        matches = qs.annotate(search_vector=_vector()).filter(search_vector=tsquery)
        # The newest matches (found with the GIN index, cut by a top-N sort on registered_at) are the
        # only rows ranked: the CASE computes ts_rank, and with it the vector, for them alone.
        window = matches.order_by("-registered_at", "-id").values("pk")[:RANK_WINDOW]
        rank = Case(
            When(pk__in=window, then=SearchRank(F("search_vector"), tsquery)),
            default=Value(-1.0), output_field=FloatField(),
        )
        return matches.annotate(search_rank=rank).order_by("-search_rank", "-registered_at", "-id")
    if vendor == "sqlite":
        match = " AND ".join('"' + w.replace('"', "") + '"*' for w in words)
        return qs.filter(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match]))
    # Any other database: a plain case-insensitive containment test (correct, not fast).
    condition = Q()
    for w in words:
        condition &= Q(public_subject__icontains=w) | Q(public_text__icontains=w)
    return qs.filter(condition)


def _pg_quote(word: str) -> str:
    # A tsquery lexeme in single quotes; `terms()` already left only word characters.
    return "'" + word.replace("'", "").replace("\\", "") + "'"


# --- structures ------------------------------------------------------------------------------------------------

def ensure_structures(connection=None) -> list[str]:
    """Create the search table/index and the public-list indexes if missing. Returns what it created."""
    connection = connection or default_connection
    if connection.vendor == "sqlite":
        return _ensure_sqlite(connection)
    if connection.vendor == "postgresql":
        return _ensure_postgresql(connection)
    return []


def _existing_indexes(connection, table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def _ensure_partial_indexes(connection, created: list[str]):
    existing = _existing_indexes(connection, "dialogue_appeal")
    with connection.cursor() as cursor:
        for name, columns in PARTIAL_INDEXES.items():
            if name not in existing:
                cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON dialogue_appeal {columns} WHERE {_PUBLISHED_SQL}")
                created.append(name)


_SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"""
        CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON dialogue_appeal
        WHEN new.public_subject != '' OR new.public_text != '' BEGIN
            INSERT INTO {FTS_TABLE}(rowid, doc) VALUES (new.id, new.public_subject || ' ' || new.public_text);
        END""",
    f"{FTS_TABLE}_au": f"""
        CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE OF public_subject, public_text ON dialogue_appeal BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
            INSERT INTO {FTS_TABLE}(rowid, doc) SELECT new.id, new.public_subject || ' ' || new.public_text
                WHERE new.public_subject != '' OR new.public_text != '';
        END""",
    f"{FTS_TABLE}_ad": f"""
        CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON dialogue_appeal BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        END""",
}


def _ensure_sqlite(connection) -> list[str]:
    created = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for _, name in cursor.fetchall()}
        rebuild = False
        if FTS_TABLE not in present:
            cursor.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(doc, tokenize = 'unicode61')")
            created.append(FTS_TABLE)
            rebuild = True
        for name, sql in _SQLITE_TRIGGERS.items():
            if name not in present:
                cursor.execute(sql)
                created.append(name)
                rebuild = True
        if rebuild:
            # Writes made while a trigger was missing are not in the index: rebuild it from the table.
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}(rowid, doc) SELECT id, public_subject || ' ' || public_text FROM dialogue_appeal "
                "WHERE public_subject != '' OR public_text != ''"
            )
    _ensure_partial_indexes(connection, created)
    return created


def _ensure_postgresql(connection) -> list[str]:
    from django.contrib.postgres.indexes import GinIndex

    from .models import Appeal

    created = []
    if PG_SEARCH_INDEX not in _existing_indexes(connection, "dialogue_appeal"):
        # Built by Django from the same expression the queries use, so the planner matches them.
        with connection.schema_editor() as editor:
            editor.add_index(Appeal, GinIndex(_vector(), name=PG_SEARCH_INDEX))
        created.append(PG_SEARCH_INDEX)
    _ensure_partial_indexes(connection, created)
    return created


def on_post_migrate(sender, using="default", **kwargs):
    ensure_structures(connections[using])
