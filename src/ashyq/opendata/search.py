"""Searching the catalogue (CKAN's package_search): words in the datasets' texts, filters, facets. A withdrawn
dataset (services.withdraw) is never found, nor counted in a facet or a tag list; nor is a withdrawn resource's format.

Words are matched case-insensitively as prefixes ("energ" finds "Energy"), every word of the query must occur
somewhere in the dataset's identifier, titles and descriptions in Kazakh, Russian and English, tags or source,
and the index applies no language-specific stemming (config 'simple'); a Russian query word is cut to its Snowball
stem first (core.wordforms), so "торговля" finds "торговли".

- PostgreSQL: `to_tsvector('simple', <DOCUMENT>)` matched against a prefix tsquery; the GIN index
  `opendata_dataset_search` (migration 0003) is on exactly that expression. Tags are filtered with jsonb
  containment (GIN index on tags), publishers by the body's slug, formats with EXISTS over the resources'
  (format, dataset) index; the default order (newest modification first) reads an index on (modified_at, slug).
- Other databases (SQLite, the embedded default): each word as a case-insensitive substring of those fields.
"""

import re
from collections import Counter

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from ashyq.core import wordforms

from .models import Dataset, Resource

MAX_TERMS = 8
MAX_TERM_LENGTH = 40
TEXT_FIELDS = ("slug", "title_en", "title_ru", "title_kk", "description_en", "description_ru", "description_kk", "source")
# The indexed document. Keep it identical to the index in migrations/0003_search_indexes.py: PostgreSQL uses an
# expression index only for the expression it was built on.
DOCUMENT = "to_tsvector('simple'::regconfig, " + " || ' ' || ".join(TEXT_FIELDS) + " || ' ' || (tags)::text)"
FACET_LIMIT = 50


_RUSSIAN_WORD = re.compile(r"[а-я]+")


def _prefix(word: str) -> str:
    """The prefix a query word is matched by: a Russian word by its stem (core.wordforms, the Snowball stemmer), so
    "торговля" finds "торговли" and "торговлю"; other words as typed (prefix matching already finds their forms)."""
    if _RUSSIAN_WORD.fullmatch(word):
        stem = wordforms.russian_key(word)
        if len(stem) >= 3 and "е" not in set(stem) - set(word):  # ё folded to е would miss a text that writes ё
            return stem
    return word


def terms(query: str) -> list[str]:
    """The words of a query, case-folded: letters and digits only, so nothing reaches the engine as syntax."""
    words = re.findall(r"\w+", (query or "").casefold())
    return [_prefix(w[:MAX_TERM_LENGTH]) for w in words if w.strip("_")][:MAX_TERMS]


def search_datasets(q="", organization=None, tags=(), res_format=None, qs: QuerySet | None = None) -> QuerySet:
    qs = Dataset.objects.active() if qs is None else qs.filter(withdrawal__isnull=True)
    words = terms(q)
    if words and connection.vendor == "postgresql":
        tsquery = " & ".join("'" + w.replace("'", "").replace("\\", "") + "':*" for w in words)
        qs = qs.filter(pk__in=RawSQL(f"SELECT id FROM opendata_dataset WHERE {DOCUMENT} @@ to_tsquery('simple', %s)", [tsquery]))
    elif words:
        for word in words:
            condition = Q(tags__icontains=word)
            for name in TEXT_FIELDS:
                condition |= Q(**{f"{name}__icontains": word})
            qs = qs.filter(condition)
    if organization:
        qs = qs.filter(body__slug=organization)
    for tag in tags:
        qs = qs.filter(tags__contains=[tag]) if connection.vendor == "postgresql" else qs.filter(tags__icontains=f'"{tag}"')
    if res_format:
        qs = qs.filter(Exists(Resource.objects.active().filter(dataset=OuterRef("pk"), format=res_format.upper())))
    return qs


def facet(field: str, ids: QuerySet) -> dict:
    """Counts of the matching datasets (`ids`: their primary keys) by publisher, format, licence or tag."""
    if field == "organization":
        return dict(
            Dataset.objects.filter(pk__in=ids).values_list("body__slug").annotate(n=Count("pk")).order_by("-n")[:FACET_LIMIT]
        )
    if field == "res_format":
        rows = (
            Resource.objects.active()
            .filter(dataset__in=ids)
            .values_list("format")
            .annotate(n=Count("dataset", distinct=True))
            .order_by("-n")
        )
        return dict(rows[:FACET_LIMIT])
    if field == "license_id":
        return dict(
            Dataset.objects.filter(pk__in=ids).values_list("licence").annotate(n=Count("pk")).order_by("-n")[:FACET_LIMIT]
        )
    if field == "tags":
        if connection.vendor == "postgresql":
            sql, params = ids.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT tag, COUNT(*) FROM opendata_dataset d, jsonb_array_elements_text("
                    "CASE WHEN jsonb_typeof(d.tags) = 'array' THEN d.tags ELSE '[]'::jsonb END) tag "
                    f"WHERE d.id IN ({sql}) GROUP BY tag ORDER BY 2 DESC, 1 LIMIT %s",
                    [*params, FACET_LIMIT],
                )
                return dict(cursor.fetchall())
        counter = Counter()
        for tags in Dataset.objects.filter(pk__in=ids).values_list("tags", flat=True).iterator(chunk_size=5000):
            counter.update(tags)
        return dict(counter.most_common(FACET_LIMIT))
    return {}


def all_tags(query: str = "") -> list[str]:
    """The distinct tags of every dataset, sorted, those containing `query` (case-insensitive) when given."""
    needle = (query or "").casefold()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT tag FROM opendata_dataset d, jsonb_array_elements_text("
                "CASE WHEN jsonb_typeof(d.tags) = 'array' THEN d.tags ELSE '[]'::jsonb END) tag "
                "WHERE d.withdrawal_id IS NULL ORDER BY tag"
            )
            tags = [row[0] for row in cursor.fetchall()]
    else:
        tags = sorted(
            {t for tags in Dataset.objects.active().values_list("tags", flat=True).iterator(chunk_size=5000) for t in tags}
        )
    return [t for t in tags if needle in t.casefold()] if needle else tags
