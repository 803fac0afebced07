"""datastore_search's `q` on real rows: citizens' complaints in Kazakh and Russian (tests/data/kzgovdata, MIT licence,
attribution in its README). `q` matches a row when one of its cells, as text and case-folded, contains the query
(a string: any cell; {field: string}: that field's cell). The hits must be the rows that rule gives, read in Python
from the loaded rows, and on PostgreSQL the rows the scan used before the trigram index gave (every column's
LOWER(CAST(c AS TEXT)) LIKE the query), in the same order, with the same totals. Run on SQLite by default and on
PostgreSQL with DATABASE_URL (CI does both)."""

import csv
import io
from pathlib import Path

import ckanapi
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from ashyq.accounts.models import Role
from ashyq.opendata import datastore, services
from ashyq.opendata.models import Resource

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="the trigram index needs PostgreSQL (DATABASE_URL=postgres://...)")

KZGOVDATA = Path(__file__).parent / "data" / "kzgovdata" / "data.csv"
COLUMNS = ["id", "text_kz", "text_ru", "category", "urgency", "region", "status", "duplicate"]
ROWS = 600
URL = "/api/3/action/datastore_search"


def complaints_csv() -> bytes:
    with KZGOVDATA.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:ROWS]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([row[c] for c in COLUMNS] for row in rows)
    return out.getvalue().encode()


def upload(make_user, bodies, slug: str, data: bytes):
    """A CSV uploaded as a new dataset's resource the way a publisher's upload is: its version."""
    publisher = make_user(Role.OFFICIAL, bodies["ministry-of-trade-and-integration"], username=f"{slug}-publisher")
    dataset = services.save_dataset(publisher, publisher.body, slug, title_en=slug, title_ru=slug, licence="CC-BY-4.0")
    resource = services.add_resource(publisher, dataset, f"{slug}.csv", Resource.Format.CSV)
    return services.upload_version(publisher, resource, data, f"{slug}.csv")


@pytest.fixture
def complaints(make_user, bodies, django_capture_on_commit_callbacks):
    """The first ROWS complaints loaded as a resource the way a publisher's upload is (on PostgreSQL with COPY, and
    its indexes built after the commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(make_user, bodies, "akimat-complaints", complaints_csv())
    assert version.valid and version.row_count == ROWS, version.report[:3]
    return version


def expected(version, q, field=None) -> list[int]:
    """The _ids of the rows one of whose cells (or the field's cell) contains q, case-folded, in file order."""
    names = [f["name"] for f in version.schema["fields"]]
    hits = []
    for _id, row in enumerate(datastore.all_rows(version), start=1):
        cells = [row[names.index(field)]] if field else row
        if any(cell is not None and q.lower() in str(cell).lower() for cell in cells):
            hits.append(_id)
    return hits


def previous_scan(version, q) -> list[int]:
    """The rows the scan without an index matched (PostgreSQL): any column's LOWER(CAST(c AS TEXT)) LIKE '%q%'."""
    columns = [f"c{i}" for i in range(len(version.schema["fields"]))]
    like = " OR ".join(f"LOWER(CAST({c} AS TEXT)) LIKE LOWER(%s)" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT _id FROM {connection.ops.quote_name(version.table_name)} WHERE {like} ORDER BY _id",
            [f"%{q}%"] * len(columns),
        )
        return [row[0] for row in cursor.fetchall()]


def ids(version, **kwargs) -> tuple[list[int], int]:
    records, total, _ = datastore.search(version, limit=ROWS, **kwargs)
    return [r["_id"] for r in records], total


# One row's own words (complaint 117 is the only one about this), a Kazakh word written in capitals (Cyrillic
# letters proper to Kazakh: Қ, Ұ, Ә), a Russian phrase, the city most complaints name, a number inside texts
# and ids, and characters that are wildcards in SQL's LIKE.
CASES = ["ЖЕЛІСІ", "ҚАЛАСЫ", "в городе Алматы", "алматы", "24", "%", "_", "№"]


@pytest.mark.parametrize("q", CASES)
def test_q_finds_the_rows_a_cell_of_which_contains_it_case_folded(complaints, q):
    hits, total = ids(complaints, q=q)
    assert hits == expected(complaints, q)
    assert total == len(hits) and not total.estimated
    if ON_POSTGRES and not {"%", "_"} & set(q):
        # The scan before read % and _ as LIKE's wildcards (so "%" matched every row): the one change meant.
        assert hits == previous_scan(complaints, q)


def test_a_value_in_one_row_finds_that_row_only(complaints):
    ru = {r[0]: r[2] for r in datastore.all_rows(complaints)}
    unique = next(text for text in ru.values() if list(ru.values()).count(text) == 1)
    fragment = unique[10:45]
    hits, total = ids(complaints, q=fragment)
    assert hits == expected(complaints, fragment) and total >= 1
    own = [i for i, row in enumerate(datastore.all_rows(complaints), start=1) if row[2] == unique]
    assert set(own) <= set(hits)


def test_cyrillic_letters_fold_both_ways(complaints):
    lower, upper, mixed = ids(complaints, q="қаласы"), ids(complaints, q="ҚАЛАСЫ"), ids(complaints, q="Қаласы")
    assert lower == upper == mixed and lower[1] > 0
    assert ids(complaints, q="АСТАНА") == ids(complaints, q="астана") and ids(complaints, q="астана")[1] > 100


def test_a_phrase_is_matched_as_written_within_one_cell(complaints):
    phrase, hits = "в городе Алматы", ids(complaints, q="в городе Алматы")[0]
    assert hits == expected(complaints, phrase) and hits
    # Its words in another order, or each anywhere in the row, are not the phrase.
    assert set(ids(complaints, q="Алматы в городе")[0]) < set(ids(complaints, q="Алматы")[0])
    # Two cells are never read as one text: the end of one and the start of the next do not make a match.
    first = datastore.all_rows(complaints)[0]
    across = f"{first[3][-3:]} {first[4][:3]}"
    assert ids(complaints, q=across)[0] == expected(complaints, across)


def test_a_dict_q_matches_each_field_in_its_own_cell(complaints):
    region, total = ids(complaints, q={"region": "алматы"})
    assert region == expected(complaints, "алматы", field="region") and total == len(region) > 0
    anywhere = ids(complaints, q="алматы")[0]
    assert set(region) < set(anywhere)  # texts name Almaty in other regions' complaints too
    both, _ = ids(complaints, q={"region": "астана", "category": "дороги"})
    assert both == sorted(set(expected(complaints, "астана", "region")) & set(expected(complaints, "дороги", "category")))
    # q and a filter together: both hold.
    filtered, _ = ids(complaints, q="ремонт", filters={"category": "дороги"})
    roads = set(expected(complaints, "дороги", field="category"))
    assert filtered == [i for i in expected(complaints, "ремонт") if i in roads]


@pytest.mark.parametrize("text", ["алматы", "Абая,", "№24", "г.", "(", "*", "\\", "?"])
def test_a_field_matches_whatever_characters_its_text_holds(complaints, text):
    assert ids(complaints, q={"text_ru": text})[0] == expected(complaints, text, field="text_ru")


def test_a_field_past_the_widest_pattern_is_still_found_in_its_own_cell(complaints, monkeypatch):
    monkeypatch.setattr(datastore, "_REGEX_MAX_REPEAT", 0)  # as for the 256th column of a table
    assert ids(complaints, q={"region": "алматы"})[0] == expected(complaints, "алматы", field="region")
    assert ids(complaints, q={"id": "24"})[0] == expected(complaints, "24", field="id")


def test_a_short_page_gives_the_total_and_a_big_one_is_estimated_past_the_text_threshold(complaints, settings):
    records, total, _ = datastore.search(complaints, q="школ", limit=ROWS, offset=2)
    assert total == len(expected(complaints, "школ")) == 2 + len(records) and not total.estimated
    settings.ASHYQ_DATASTORE_TEXT_TOTAL_ESTIMATION_THRESHOLD = 10
    _, counted, _ = datastore.search(complaints, q="а", limit=5, estimate_over=None)
    assert counted == len(expected(complaints, "а")) and not counted.estimated
    _, total, _ = datastore.search(complaints, q="а", limit=5)
    if ON_POSTGRES:
        assert total.estimated and 0.5 * counted <= total <= 2 * counted
    else:  # SQLite has no estimate: it counts
        assert total == counted and not total.estimated
    # Filters alone keep the site's threshold (their counts read an index only).
    assert not datastore.search(complaints, filters={"status": "решена"}, limit=1)[1].estimated


def test_no_hits_is_an_empty_page_with_a_total_of_zero(complaints):
    records, total, _ = datastore.search(complaints, q="жоқ-мұндай-сөз")
    assert records == [] and total == 0 and not total.estimated
    # A control character is in no cell (uploads refuse them) and never joins two cells into one text.
    assert ids(complaints, q="Алматы\x1fдороги") == ([], 0)


def test_q_keeps_sort_offset_fields_and_an_unknown_field_is_an_error(complaints):
    all_hits = expected(complaints, "школ")
    records, total, names = datastore.search(complaints, q="школ", limit=5, offset=3, fields=["id", "region"])
    assert [r["id"] for r in records] == all_hits[3:8] and total == len(all_hits) and names == ["id", "region"]
    by_id_desc, _, _ = datastore.search(complaints, q="школ", sort="id desc", limit=3)
    assert [r["id"] for r in by_id_desc] == sorted(all_hits, reverse=True)[:3]
    with pytest.raises(datastore.QueryError, match="not found: town"):
        datastore.search(complaints, q={"town": "Астана"})


def test_the_action_api_reads_q_as_ckan_clients_send_it(client, complaints):
    resource_id = str(complaints.resource.pk)
    as_json = client.get(URL, {"resource_id": resource_id, "q": '{"region": "Шымкент"}', "limit": 1}).json()["result"]
    assert as_json["total"] == len(expected(complaints, "шымкент", "region")) and as_json["total_was_estimated"] is False
    assert as_json["records"][0]["region"] == "Шымкент"
    posted = client.post(
        URL, {"resource_id": resource_id, "q": {"region": "Шымкент"}, "limit": 1}, content_type="application/json"
    ).json()["result"]
    assert posted["total"] == as_json["total"]
    full_text = client.get(URL, {"resource_id": resource_id, "full_text": "дороги", "q": '{"region": "Астана"}'}).json()
    assert full_text["result"]["total"] == len(
        set(expected(complaints, "дороги")) & set(expected(complaints, "астана", "region"))
    )
    # CKAN's language names a stemmer; matching here is by characters, so it changes nothing.
    in_english = client.get(URL, {"resource_id": resource_id, "q": "астана", "language": "english"}).json()["result"]
    assert in_english["total"] == len(expected(complaints, "астана"))
    # PostgreSQL's query syntax (plain=false) is refused, not read as text it is not.
    refused = client.get(URL, {"resource_id": resource_id, "q": "астана:*", "plain": "false"})
    assert refused.status_code == 409 and "plain" in refused.json()["error"]
    unknown = client.get(URL, {"resource_id": resource_id, "q": '{"town": "Астана"}'})
    assert unknown.status_code == 409 and "town" in str(unknown.json()["error"]["query"])
    wrong = client.post(URL, {"resource_id": resource_id, "q": ["Астана"]}, content_type="application/json")
    assert wrong.status_code == 409 and "q" in wrong.json()["error"]


def test_ckanapi_searches_with_a_string_and_a_dict(transactional_db, live_server, make_user, bodies):
    version = upload(make_user, bodies, "complaints-api", complaints_csv())
    resource = version.resource
    if ON_POSTGRES:
        datastore.build_indexes(version)
    with ckanapi.RemoteCKAN(live_server.url) as ckan:  # its session closed before the server's connection is
        _search_through_ckanapi(ckan, resource, version)


def _search_through_ckanapi(ckan, resource, version):
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=str(resource.pk), q={"nowhere": "x"})
    found = ckan.action.datastore_search(resource_id=str(resource.pk), q="ҚАЛАСЫ", limit=3)
    assert found["total"] == len(expected(version, "қаласы")) and len(found["records"]) == 3
    in_field = ckan.action.datastore_search(resource_id=str(resource.pk), q={"status": "решена"}, fields=["status"])
    assert {r["status"] for r in in_field["records"]} == {"решена"}
    assert in_field["total"] == len(expected(version, "решена", field="status"))


@postgres_only
def test_the_trigram_index_is_built_with_the_others_and_q_reads_it(complaints):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [complaints.table_name])
        indexes = dict(cursor.fetchall())
    text = f"{complaints.table_name}_text"
    assert set(indexes) == datastore.index_names(complaints) and "gin_trgm_ops" in indexes[text]
    with connection.cursor() as cursor:
        # The table is small enough that PostgreSQL would rather read it: the question is only whether the search's
        # expression is the index's, which a mismatch (a column more or less, another cast) would silently break.
        cursor.execute("SET enable_seqscan = off")
        fields = complaints.schema["fields"]
        plans = []
        for q in ("Алматы", {"region": "Алматы"}):  # a string, and a field's cell (a pattern over the same text)
            where, params = datastore._text_conditions(q, fields, {f["name"]: i for i, f in enumerate(fields)})
            table = connection.ops.quote_name(complaints.table_name)
            cursor.execute(f"EXPLAIN SELECT _id FROM {table} WHERE {' AND '.join(where)}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        cursor.execute("RESET enable_seqscan")
    assert all(text in plan for plan in plans), plans


@postgres_only
def test_a_table_loaded_before_the_trigram_index_gets_it_from_the_command(complaints):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(complaints.table_name + '_text')}")
    out = io.StringIO()
    call_command("build_datastore_indexes", stdout=out)
    assert "Indexed 1 " in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [complaints.table_name])
        assert {name for (name,) in cursor.fetchall()} == datastore.index_names(complaints)
    assert ids(complaints, q="ҚАЛАСЫ")[0] == expected(complaints, "қаласы")


def test_a_word_every_row_holds_beside_a_rare_one_finds_the_same_rows(make_user, bodies, django_capture_on_commit_callbacks):
    """ "row 1234" on a table whose every note says "row …": on PostgreSQL the index is asked for "1234" only (a
    word in every row would make it walk its longest lists), and the whole q is checked on what it finds."""
    data = "id,note\n" + "".join(f"{i},row {i}\n" for i in range(1, 3001))
    with django_capture_on_commit_callbacks(execute=True):
        version = upload(make_user, bodies, "notes", data.encode())
    for q in ("row 1234", "ROW 12", "row 3000", "row 30001", "w 7 row"):
        assert ids(version, q=q)[0] == expected(version, q), q
    if ON_POSTGRES:
        table, whole = connection.ops.quote_name(version.table_name), datastore.row_text(2)
        assert datastore._common_words("row 1234", whole, table, version.row_count) == {"row"}
        assert datastore._common_words("1234", whole, table, version.row_count) == set()  # one word: nothing to leave out


@postgres_only
def test_the_search_timeout_ends_with_the_search_not_with_the_callers_transaction(complaints):
    # A request that searches the datastore and then does other work in the same transaction (an admin page, an
    # atomic request) must not have that other work cancelled after the datastore's short bound.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '123s'")
        ids(complaints, q="алматы")
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "123s"
