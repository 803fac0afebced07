"""Full-text search over the public record, in Kazakh, Russian and English as people write them.

Only the moderated public copies are indexed and searched (public_subject, public_text and the published
answer's public_text); the original subject and text never are.

Words are matched by their forms (core/wordforms.py): "взятка" finds "взятку", "прокуратура" finds
"прокуратурасы", "поликлиника" finds "поликлинике", "jol" finds "жолдың". Every word of the query must
occur, in the subject, the text or the answer. Words in double quotes must occur as written and next to
each other ("exact phrase"). Words in the subject weigh more than in the text, and those more than in the
answer.

The index is a table of derived words, `SearchDocument` (one row per published appeal: its keys in order,
its words as written and its registration time), written by `index_appeal()` in Python whenever a public
copy is saved or the appeal is published, hidden or restored (in the same transaction), so both databases
hold exactly the same keys and no row of an appeal the public may not read; an update is one row, whatever
the size of the table. A write that bypasses save() (a queryset update or raw SQL) is picked up by
`manage.py rebuild_search_index`.

- PostgreSQL: the weighted tsvector of the keys (config 'simple': the keys are already normalised) is a
  stored generated column, `keys_vector`, with a GIN index; the tsvector of the words as written has a GIN
  index on the expression. Only the RANK_WINDOW newest matches are ranked, best first; older matches
  follow, newest first (docs/benchmarks.md). A search without other filters takes its page's ids from the
  document table alone (`page_ids`): the newest matches by the document's own registration time, ranked
  from the stored vector, so the appeals table is read for the page's rows only. (Joining the matches with
  the published appeals made PostgreSQL hash-join them with every published appeal, twice, and computing
  the vector again for each ranked row cost ~50 microseconds a row.)
- SQLite (the embedded default): an FTS5 table `ashyq_appeal_words` over the same rows, kept by triggers
  on the document table; bm25 with the same column weights ranks the same window.

The search structures and the indexes behind the public list are not in the models' Meta (they are
vendor-specific); `ensure_structures()` creates whatever is missing. It runs after every `migrate`
(post_migrate, connected in dialogue/apps.py), which also repairs them after a migration rebuilt a table
on SQLite (a rebuild drops triggers and indexes Django does not know about).
"""

import re

from django.db import connection as default_connection
from django.db import connections, transaction
from django.db.models import Case, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from ashyq.core import wordforms

FTS_TABLE = "ashyq_appeal_words"
OLD_FTS_TABLE = "ashyq_appeal_search"  # the prefix index of the public copies that this one replaced
DOC_TABLE = "dialogue_searchdocument"
PG_KEYS_INDEX = "search_document_keys_vector_gin"
OLD_PG_KEYS_INDEX = "search_document_keys_gin"  # on the expression, before the vector was stored
PG_KEYS_COLUMN = "keys_vector"
PG_EXACT_INDEX = "search_document_exact_gin"
MAX_TERMS = 8
# PostgreSQL ranks at most this many matches (the newest ones); the rest follow, newest first.
RANK_WINDOW = 1000
# Column weights: subject, text, answer (PostgreSQL's A, B, C; bm25's multipliers on SQLite).
BM25_WEIGHTS = (10.0, 4.0, 2.0, 0.0)
PHRASE = re.compile(r'"([^"]*)"')
KEY = re.compile(r"\W+")

# Partial indexes over published appeals only: the public list and the body pages read them newest first.
_PUBLISHED_SQL = "is_public AND published_at IS NOT NULL AND hidden_at IS NULL"
PARTIAL_INDEXES = {
    "appeal_public_recent": "(registered_at DESC, id DESC)",
    "appeal_public_body_recent": "(body_id, registered_at DESC, id DESC)",
}


# --- what a query asks for ------------------------------------------------------------------------------------


def _clean(key: str) -> str:
    # Keys are letters and digits only: nothing reaches either engine as syntax.
    return KEY.sub("", key)


def parse(query: str) -> tuple[list[tuple[str, ...]], list[list[str]]]:
    """(words, phrases): for each bare word the keys it may have, for each quoted phrase its words as written."""
    query = (query or "")[:1000]
    phrases = []
    for quoted in PHRASE.findall(query):
        words = [_clean(w) for w in wordforms.exact_words(quoted)]
        if any(words):
            phrases.append([w for w in words if w][:MAX_TERMS])
    bare = PHRASE.sub(" ", query).replace('"', " ")
    words = []
    for token in wordforms.tokens(bare):
        keys = tuple(k for k in dict.fromkeys(_clean(k) for k in wordforms.query_keys(token)) if k)
        if keys and keys not in words:
            words.append(keys)
    return words[:MAX_TERMS], phrases[:MAX_TERMS]


def terms(query: str) -> list[str]:
    """The words of a query, case-folded (for callers that show or log what was searched)."""
    return list(wordforms.tokens(PHRASE.sub(" ", query or "")))[:MAX_TERMS]


def ordering(db: str = "default") -> dict:
    """How search results are ordered, for the page to say: the newest matches ranked, then the rest newest first."""
    if connections[db].vendor in ("postgresql", "sqlite"):
        return {"ranked": True, "window": RANK_WINDOW}
    return {"ranked": False, "window": None}


def search(qs: QuerySet, query: str) -> QuerySet:
    """Narrow `qs` (already limited to what the viewer may see) to appeals whose public record matches.

    The RANK_WINDOW newest matches come first, best match first, then the older matches, newest first.
    """
    words, phrases = parse(query)
    if not words and not phrases:
        return qs
    vendor = connections[qs.db].vendor
    if vendor == "postgresql":
        return _search_postgresql(qs, words, phrases)
    if vendor == "sqlite":
        return _search_sqlite(qs, words, phrases)
    # Any other database: every word's key in the derived document (correct, not fast).
    condition = Q(search_document__isnull=False)
    for keys in words:
        either = Q()
        for key in keys:
            for column in ("subject", "text", "answer"):
                either |= Q(**{f"search_document__{column}__regex": rf"(^| ){key}( |$)"})
        condition &= either
    for phrase in phrases:
        condition &= Q(search_document__exact__regex=rf"(^| ){' '.join(phrase)}( |$)")
    return qs.filter(condition)


def _ranked(matches: QuerySet, rank) -> QuerySet:
    # The newest matches (found with the index, cut by a top-N sort on registered_at) are the only rows
    # ranked: the CASE computes the rank for them alone.
    window = matches.order_by("-registered_at", "-id").values("pk")[:RANK_WINDOW]
    ranked = Case(When(pk__in=window, then=rank), default=Value(-1.0), output_field=FloatField())
    return matches.annotate(search_rank=ranked).order_by("-search_rank", "-registered_at", "-id")


def _keys_vector(prefix: str = ""):
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector(f"{prefix}subject", config="simple", weight="A")
        + SearchVector(f"{prefix}text", config="simple", weight="B")
        + SearchVector(f"{prefix}answer", config="simple", weight="C")
    )


def _exact_vector(prefix: str = ""):
    from django.contrib.postgres.search import SearchVector

    return SearchVector(f"{prefix}exact", config="simple")


def _stored_keys_vector():
    from django.contrib.postgres.search import SearchVectorField

    # The generated column (ensure_structures): the same vector as _keys_vector(), computed once per write.
    # Unqualified, because Django renames the document table inside subqueries; no other table has it.
    return RawSQL(PG_KEYS_COLUMN, [], output_field=SearchVectorField())


def _matching_documents(words, phrases, using):
    """PostgreSQL: (the documents matching every word and phrase, their rank), both on the document table."""
    from django.contrib.postgres.search import SearchQuery, SearchRank

    from .models import SearchDocument

    documents = SearchDocument.objects.using(using)
    rank = None
    if words:
        raw = " & ".join("(" + " | ".join(f"'{k}'" for k in keys) + ")" for keys in words)
        tsquery = SearchQuery(raw, search_type="raw", config="simple")
        documents = documents.annotate(keys_match=_stored_keys_vector()).filter(keys_match=tsquery)
        rank = SearchRank(_stored_keys_vector(), tsquery)
    if phrases:
        raw = " & ".join("(" + " <-> ".join(f"'{w}'" for w in phrase) + ")" for phrase in phrases)
        tsquery = SearchQuery(raw, search_type="raw", config="simple")
        documents = documents.annotate(exact_vector=_exact_vector()).filter(exact_vector=tsquery)
        rank = rank or SearchRank(_exact_vector(), tsquery)
    return documents, rank


def _search_postgresql(qs, words, phrases):
    from django.db.models import OuterRef, Subquery

    # The matching documents come from the GIN indexes on the document table alone; the appeal table
    # then checks what the viewer may see and the other filters. The rank is read from the document of
    # each of the RANK_WINDOW rows ranked.
    documents, rank = _matching_documents(words, phrases, qs.db)
    ranked = Subquery(documents.filter(appeal_id=OuterRef("pk")).annotate(search_rank=rank).values("search_rank")[:1])
    return _ranked(qs.filter(pk__in=documents.values("appeal_id")), ranked)


def page_ids(query: str, offset: int, limit: int, using: str = "default") -> list[int] | None:
    """The ids of rows offset..offset+limit of search(published appeals, query), in its order, from the
    document table alone (only published appeals have a document). None where this takes no shortcut (no
    words to search, or not PostgreSQL): the caller then pages search() itself."""
    words, phrases = parse(query)
    if (not words and not phrases) or connections[using].vendor != "postgresql":
        return None
    documents, rank = _matching_documents(words, phrases, using)
    newest = documents.order_by("-registered_at", "-appeal_id")
    ids = []
    end = offset + limit
    if offset < RANK_WINDOW:
        # The newest matches, found by the GIN index and cut by a top-N sort, then ranked by their stored
        # vector: the same order as _ranked() (rank, then newest first).
        window = newest.annotate(search_rank=rank).values_list("appeal_id", "search_rank", "registered_at")[:RANK_WINDOW]
        sql, params = window.query.sql_with_params()
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"SELECT appeal_id FROM ({sql}) AS window_rows ORDER BY search_rank DESC, registered_at DESC, appeal_id DESC LIMIT %s OFFSET %s",
                (*params, min(end, RANK_WINDOW) - offset, offset),
            )
            ids = [row[0] for row in cursor.fetchall()]
        if end <= RANK_WINDOW or len(ids) < min(end, RANK_WINDOW) - offset:
            return ids
    # Past the window: the older matches, newest first.
    ids += list(newest.values_list("appeal_id", flat=True)[max(offset, RANK_WINDOW) : end])
    return ids


def _search_sqlite(qs, words, phrases):
    parts = ["{subject text answer} : (" + " OR ".join(f'"{k}"' for k in keys) + ")" for keys in words]
    parts += ['exact : "' + " ".join(phrase) + '"' for phrase in phrases]
    match = " AND ".join(parts)
    matches = qs.filter(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match]))
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    # bm25 is lower for a better match; negated, so that both databases sort the rank descending.
    rank = RawSQL(
        f"(SELECT -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid = dialogue_appeal.id)",
        [match],
        output_field=FloatField(),
    )
    return _ranked(matches, rank)


# --- keeping the index --------------------------------------------------------------------------------------------


def document_fields(subject: str, text: str, answer: str) -> dict | None:
    """The derived words of one public record, or None if it has no public words at all."""
    if not (subject or text or answer):
        return None
    keys = {
        name: " ".join(_clean(k) for k in wordforms.document_keys(value))
        for name, value in (("subject", subject), ("text", text), ("answer", answer))
    }
    # A full stop keeps a phrase from running from the subject into the text.
    exact = " . ".join(" ".join(_clean(w) for w in wordforms.exact_words(v)) for v in (subject, text, answer) if v)
    return {**keys, "exact": exact}


def _answer_text(appeal) -> str:
    from .models import Answer

    answer = Answer.objects.filter(appeal_id=appeal.pk, published_at__isnull=False).values_list("public_text", flat=True).first()
    return answer or ""


def index_appeal(appeal) -> None:
    """Rewrite the one search row of `appeal` from its public copies (after the moderator wrote them), or
    remove it while the appeal is not published (hidden after reports, or not yet approved)."""
    from .models import Appeal, SearchDocument

    if not isinstance(appeal, Appeal):
        appeal = Appeal.objects.get(pk=appeal)
    fields = None
    if appeal.is_published:
        fields = document_fields(appeal.public_subject, appeal.public_text, _answer_text(appeal))
    with transaction.atomic(using=appeal._state.db or "default"):
        if fields is None:
            SearchDocument.objects.filter(appeal_id=appeal.pk).delete()
        else:
            SearchDocument.objects.update_or_create(
                appeal_id=appeal.pk, defaults={**fields, "registered_at": appeal.registered_at}
            )


# What a search row depends on: the public copies, whether the public may read the appeal, and its order key.
_INDEXED_FIELDS = {"public_subject", "public_text", "is_public", "published_at", "hidden_at", "registered_at"}


def on_appeal_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    if update_fields is not None and not _INDEXED_FIELDS & set(update_fields):
        return
    if created and not (instance.public_subject or instance.public_text):
        return
    index_appeal(instance)


def on_answer_saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    if update_fields is not None and not {"public_text", "published_at"} & set(update_fields):
        return
    if created and not instance.published_at:
        return
    index_appeal(instance.appeal_id)


def rebuild(appeal_model=None, document_model=None, using: str = "default", batch: int = 2000) -> int:
    """Rebuild every search row from the public copies (after writes that bypassed save()). Returns the rows written."""
    from django.db.models import OuterRef, Subquery

    if appeal_model is None:
        from .models import Appeal as appeal_model
        from .models import SearchDocument as document_model

    answer_model = appeal_model._meta.get_field("answer").related_model
    published_answer = answer_model.objects.using(using).filter(appeal_id=OuterRef("pk"), published_at__isnull=False)
    rows = (
        appeal_model.objects.using(using)
        .filter(is_public=True, published_at__isnull=False, hidden_at__isnull=True)  # models.published_q
        .exclude(public_subject="", public_text="")
        .annotate(answer_text=Subquery(published_answer.values("public_text")[:1]))
        .order_by("pk")
        .values_list("pk", "public_subject", "public_text", "answer_text", "registered_at")
    )
    written = 0
    with transaction.atomic(using=using):
        document_model.objects.using(using).all().delete()
        last = 0
        while True:
            chunk = list(rows.filter(pk__gt=last)[:batch])
            if not chunk:
                break
            docs = []
            for pk, subject, text, answer, registered_at in chunk:
                fields = document_fields(subject, text, answer or "")
                if fields:
                    docs.append(document_model(appeal_id=pk, registered_at=registered_at, **fields))
            document_model.objects.using(using).bulk_create(docs)
            written += len(docs)
            last = chunk[-1][0]
    return written


# --- structures ------------------------------------------------------------------------------------------------


def ensure_structures(connection=None) -> list[str]:
    """Create the search table/indexes and the public-list indexes if missing. Returns what it created."""
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


_COLUMNS = "subject, text, answer, exact"
_NEW = "new.subject, new.text, new.answer, new.exact"
_SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"""
        CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON {DOC_TABLE} BEGIN
            INSERT INTO {FTS_TABLE}(rowid, {_COLUMNS}) VALUES (new.appeal_id, {_NEW});
        END""",
    f"{FTS_TABLE}_au": f"""
        CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE ON {DOC_TABLE} BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.appeal_id;
            INSERT INTO {FTS_TABLE}(rowid, {_COLUMNS}) VALUES (new.appeal_id, {_NEW});
        END""",
    f"{FTS_TABLE}_ad": f"""
        CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON {DOC_TABLE} BEGIN
            DELETE FROM {FTS_TABLE} WHERE rowid = old.appeal_id;
        END""",
}


def _ensure_sqlite(connection) -> list[str]:
    created = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for _, name in cursor.fetchall()}
        if OLD_FTS_TABLE in present:
            for suffix in ("ai", "au", "ad"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {OLD_FTS_TABLE}_{suffix}")
            cursor.execute(f"DROP TABLE {OLD_FTS_TABLE}")
        if DOC_TABLE not in present:  # before the migration that creates it
            _ensure_partial_indexes(connection, created)
            return created
        rebuild_fts = False
        if FTS_TABLE not in present:
            # The keys are normalised already; unicode61 only splits them on the spaces.
            cursor.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({_COLUMNS}, tokenize = 'unicode61 remove_diacritics 0')")
            created.append(FTS_TABLE)
            rebuild_fts = True
        for name, sql in _SQLITE_TRIGGERS.items():
            if name not in present:
                cursor.execute(sql)
                created.append(name)
                rebuild_fts = True
        if rebuild_fts:
            # Writes made while a trigger was missing are not in the index: rebuild it from the documents.
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
            cursor.execute(f"INSERT INTO {FTS_TABLE}(rowid, {_COLUMNS}) SELECT appeal_id, {_COLUMNS} FROM {DOC_TABLE}")
    _ensure_partial_indexes(connection, created)
    return created


def _ensure_postgresql(connection) -> list[str]:
    from django.contrib.postgres.indexes import GinIndex

    from .models import SearchDocument

    created = []
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS appeal_public_search_gin")  # the prefix index this one replaced
        tables = connection.introspection.table_names(cursor)
    if DOC_TABLE in tables:
        with connection.cursor() as cursor:
            columns = {c.name for c in connection.introspection.get_table_description(cursor, DOC_TABLE)}
        if PG_KEYS_COLUMN not in columns:
            # Generated by PostgreSQL from the row's keys on every write, so no writer can forget it; the
            # models do not know the column (SQLite has no tsvector), and Django's writes leave it alone.
            with connection.schema_editor() as editor:
                vector_sql, params = _compiled(connection, SearchDocument, _keys_vector())
                editor.execute(
                    f"ALTER TABLE {DOC_TABLE} ADD COLUMN {PG_KEYS_COLUMN} tsvector GENERATED ALWAYS AS ({vector_sql}) STORED",
                    params,
                )
            created.append(PG_KEYS_COLUMN)
        existing = _existing_indexes(connection, DOC_TABLE)
        if OLD_PG_KEYS_INDEX in existing:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX {OLD_PG_KEYS_INDEX}")
        if PG_KEYS_INDEX not in existing:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE INDEX {PG_KEYS_INDEX} ON {DOC_TABLE} USING gin ({PG_KEYS_COLUMN})")
            created.append(PG_KEYS_INDEX)
        if PG_EXACT_INDEX not in existing:
            # Built by Django from the same expression the queries use, so the planner matches them.
            with connection.schema_editor() as editor:
                editor.add_index(SearchDocument, GinIndex(_exact_vector(), name=PG_EXACT_INDEX))
            created.append(PG_EXACT_INDEX)
    _ensure_partial_indexes(connection, created)
    return created


def _compiled(connection, model, expression):
    """The SQL of an expression over `model`'s table, with its columns unqualified (for a generated column)."""
    from django.db.models.sql import Query

    query = Query(model, alias_cols=False)
    compiler = query.get_compiler(connection=connection)
    return expression.resolve_expression(query).as_sql(compiler, connection)


def on_post_migrate(sender, using="default", **kwargs):
    ensure_structures(connections[using])
