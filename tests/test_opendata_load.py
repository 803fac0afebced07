"""Loading big uploads into the datastore: the COPY path on PostgreSQL and the row-by-row path elsewhere must
accept and refuse exactly the same files, with the same report (row and column), and a refused file never
replaces the version being served. Run on SQLite by default and on PostgreSQL with DATABASE_URL (CI does both)."""

import codecs

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from ashyq.accounts.models import Role
from ashyq.opendata import datastore, ingest, services
from ashyq.opendata.models import Resource

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="the COPY path needs PostgreSQL (DATABASE_URL=postgres://...)")

HEADER = ["id", "country", "year", "code", "value", "day"]
COUNTRIES = ["Russia", "China", "Italy", "Korea", "Uzbekistan"]
ROWS = 8000
DEEP = 7000  # a data row well past the rows the schema is inferred from, and past the bytes read to infer it
DEEP_ROW = DEEP + 2  # its row number as the report gives it (the header is row 1)


def rows(n=ROWS):
    return [
        [
            str(i + 1),
            COUNTRIES[i % 5],
            str(2000 + i % 20),
            str(1000 + (i * 7) % 9000),
            f"{(i * 37) % 1000}.{i % 10}",
            f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}",
        ]
        for i in range(n)
    ]


def encode(table, header=HEADER, sep=",", end="\n"):
    return (sep.join(header) + end + "".join(sep.join(r) + end for r in table)).encode()


@pytest.fixture
def publisher(make_user, bodies):
    return make_user(Role.OFFICIAL, bodies["ministry-of-trade-and-integration"], username="mti-loader")


@pytest.fixture
def resource(publisher):
    dataset = services.save_dataset(
        publisher, publisher.body, "trade-flows", title_en="Trade flows", title_ru="Торговые потоки", licence="CC-BY-4.0"
    )
    return services.add_resource(publisher, dataset, "flows.csv", Resource.Format.CSV)


def table_exists(version) -> bool:
    with connection.cursor() as cursor:
        return version.table_name in connection.introspection.table_names(cursor)


def test_a_valid_big_file_is_loaded_typed_and_in_file_order(publisher, resource):
    version = services.upload_version(publisher, resource, encode(rows()), "flows.csv")
    assert version.valid and version.loaded and version.row_count == ROWS and version.report == []
    assert [f["type"] for f in version.schema["fields"]] == ["integer", "string", "integer", "integer", "number", "date"]
    records, total, _ = datastore.search(version, limit=3, offset=DEEP)
    assert total == ROWS and [r["_id"] for r in records] == [DEEP + 1, DEEP + 2, DEEP + 3]
    assert records[0] == {
        "_id": DEEP + 1,
        "id": DEEP + 1,
        "country": COUNTRIES[DEEP % 5],
        "year": 2000 + DEEP % 20,
        "code": 1000 + (DEEP * 7) % 9000,
        "value": float(f"{(DEEP * 37) % 1000}.{DEEP % 10}"),
        "day": f"2021-{1 + DEEP % 12:02d}-{1 + DEEP % 28:02d}",
    }
    records, total, _ = datastore.search(version, filters={"country": "Korea"}, sort="value desc", limit=5)
    assert total == ROWS // 5 and all(r["country"] == "Korea" for r in records)
    assert [r["value"] for r in records] == sorted((r["value"] for r in records), reverse=True)


def _defect(name):
    table = rows()
    if name == "type-error":
        table[DEEP][4] = "n/a"
        return encode(table), (DEEP_ROW, 5)
    if name == "extra-cell":
        table[DEEP].append("surplus")
        return encode(table), (DEEP_ROW, 7)
    if name == "missing-cell":
        table[DEEP] = table[DEEP][:4]
        return encode(table), (DEEP_ROW, 5)
    if name == "blank-row":
        table[DEEP] = [""] * len(HEADER)
        return encode(table), (DEEP_ROW, None)
    if name == "radix":  # PostgreSQL 16 would read it as 31; the Table Schema's integer does not
        table[DEEP][0] = "0x1F"
        return encode(table), (DEEP_ROW, 1)
    if name == "impossible-date":
        table[DEEP][5] = "2021-02-30"
        return encode(table), (DEEP_ROW, 6)
    if name == "encoding-error":
        data = encode(table)
        at = data.index(("\n" + ",".join(table[DEEP]) + "\n").encode())
        line = data[at + 1 : data.index(b"\n", at + 1)]
        return data.replace(line, line.replace(table[DEEP][1].encode(), "Алматы".encode("cp1251"))), (DEEP_ROW, None)
    raise ValueError(name)


@pytest.mark.parametrize(
    "kind", ["type-error", "extra-cell", "missing-cell", "blank-row", "radix", "impossible-date", "encoding-error"]
)
def test_a_defect_deep_in_the_file_is_reported_with_its_row_and_column_and_nothing_is_loaded(publisher, resource, kind):
    good = services.upload_version(publisher, resource, encode(rows()), "good.csv")
    data, (row, column) = _defect(kind)
    bad = services.upload_version(publisher, resource, data, "bad.csv")
    assert not bad.valid and not bad.loaded and bad.row_count == 0
    expected_type = "type-error" if kind in ("radix", "impossible-date") else kind
    assert any(
        p["type"] == expected_type and p["row"] == row and (column is None or p["column"] == column) for p in bad.report
    ), bad.report
    assert all(p["message"] for p in bad.report)
    assert not table_exists(bad)  # nothing of the refused load is kept
    resource.refresh_from_db()
    assert resource.flagged and resource.current_version == good
    assert datastore.search(good)[1] == ROWS  # the version being served is untouched


def test_an_integer_beyond_64_bits_is_refused_not_a_crash(publisher, resource):
    table = rows()
    table[DEEP][0] = "99999999999999999999"
    version = services.upload_version(publisher, resource, encode(table), "huge.csv")
    assert not version.valid and not version.loaded and [p["type"] for p in version.report] == ["type-error"]


@pytest.mark.parametrize("quoted", [False, True])
def test_leading_zeros_past_the_sample_keep_a_code_column_as_text(publisher, resource, quoted):
    table = rows()
    table[DEEP][3] = "0702"  # an HS code: the first 1,000 rows looked like integers
    if quoted:
        for r in table:
            r[1] = f'"{r[1]}"'
    version = services.upload_version(publisher, resource, encode(table), "codes.csv")
    assert version.valid and version.loaded
    assert {f["name"]: f["type"] for f in version.schema["fields"]}["code"] == "string"
    records, total, _ = datastore.search(version, filters={"code": "0702"})
    assert total == 1 and records[0]["_id"] == DEEP + 1 and records[0]["country"] == COUNTRIES[DEEP % 5]
    assert datastore.search(version, filters={"code": "1000"})[0][0]["code"] == "1000"


def test_quotes_separators_line_breaks_bom_and_crlf_load_the_same_everywhere(publisher, resource):
    text = (
        "\ufeffname;population;note;founded\r\n"
        'Almaty;2000900;"the ""southern capital""; largest city";1854-02-04\r\n'
        '"Astana";1350228;"capital since 1997\r\nrenamed in 2019";1830-01-01\r\n'
        'Shymkent;"";"";1200-01-01\r\n'
        "\r\n\r\n"
    )
    version = services.upload_version(publisher, resource, text.encode(), "cities.csv")
    assert version.valid and version.loaded and version.row_count == 3, version.report
    assert [f["type"] for f in version.schema["fields"]] == ["string", "integer", "string", "date"]
    assert datastore.all_rows(version) == [
        ("Almaty", 2000900, 'the "southern capital"; largest city', "1854-02-04"),
        ("Astana", 1350228, "capital since 1997\r\nrenamed in 2019", "1830-01-01"),
        ("Shymkent", None, None, "1200-01-01"),
    ]


def test_doubled_quotes_inside_a_quoted_cell_are_one_quote_even_past_the_sniffed_sample(publisher, resource):
    table = [[str(i), f'"city {i}"'] for i in range(1, 400)] + [["400", '"the ""southern capital"""']]
    version = services.upload_version(publisher, resource, encode(table, header=["n", "name"]), "quotes.csv")
    assert version.valid and datastore.all_rows(version)[-1] == (400, 'the "southern capital"')


def test_the_scan_finds_what_postgresql_would_accept_and_frictionless_would_not():
    def scan(data, types):
        source = ingest.CsvSource(
            data=data, start=0, end=len(data.rstrip(b"\n")), delimiter=",", quotechar='"', has_quotes=b'"' in data
        )
        return ingest.scan(source, {"fields": [{"name": f"f{i}", "type": t} for i, t in enumerate(types)]})

    base = "a,b,c\n" + "".join(f"{i},x{i},{i}.5\n" for i in range(1, 50))
    assert scan(base.encode(), ["integer", "string", "number"]) == ingest.Scan()
    assert scan((base + "7,y,00.5\n").encode(), ["integer", "string", "number"]).zero_columns == {2}
    assert scan((base + "007,0702,1\n").encode(), ["integer", "string", "number"]).zero_columns == {0}
    assert scan((base + "1,0702,1\n").encode(), ["integer", "string", "number"]) == ingest.Scan()  # text may
    assert scan((base + "+07,y, 05\n").encode(), ["integer", "string", "number"]) == ingest.Scan()  # read alike
    assert scan((base + "-0x1F,y,1\n").encode(), ["integer", "string", "number"]).refuse
    assert scan((base + "1,y,0b101\n").encode(), ["integer", "string", "number"]).refuse
    assert scan((base + ",,\n").encode(), ["integer", "string", "number"]).refuse == "blank row"
    quoted = "a,b,c\n" + "".join(f'{i},"x, {i}\n{i}",{i}\n' for i in range(1, 50))
    assert scan(quoted.encode(), ["integer", "string", "integer"]) == ingest.Scan()
    assert scan((quoted + '1,"x\n,07",1\n').encode(), ["integer", "string", "integer"]) == ingest.Scan()
    assert scan((quoted + '1,"x",007\n').encode(), ["integer", "string", "integer"]).zero_columns == {2}


def test_schema_inference_is_frictionless_inference():
    import random

    rng = random.Random(7)
    pool = [
        "12",
        "-3",
        "0702",
        "4.5",
        "1e3",
        "NaN",
        "2021-03-01",
        "2021-02-30",
        "2021-03",
        "2021",
        "10:30:00",
        "2021-03-01T10:30:00Z",
        "true",
        "FALSE",
        "1",
        "0",
        "yes",
        '{"a": 1}',
        "[1, 2]",
        "P1D",
        "43.2,76.9",
        "Almaty",
        "",
    ]
    for _ in range(300):
        width, height = rng.randint(1, 4), rng.randint(0, 40)
        kinds = [rng.sample(pool, rng.randint(1, 3)) for _ in range(width)]
        sample = [
            [rng.choice(kinds[c]) if rng.random() < 0.93 else rng.choice(pool) for c in range(width)][
                : rng.choice([width] * 9 + [width - 1])
            ]
            for _ in range(height)
        ]
        header = [f"h{c}" for c in range(width)]
        assert ingest.infer_schema(header, sample) == ingest._frictionless_schema(header, sample), sample


def test_what_copy_cannot_check_exactly_goes_row_by_row():
    assert ingest._prepare_copy(encode(rows(50))).source is not None
    assert ingest._prepare_copy("a,b\nАлматы,1\n".encode("cp1251")) is None  # not UTF-8: decoded (and reported) whole
    assert ingest._prepare_copy(b"a, b\n1, 2\n3, 4\n") is None  # spaces after the separator: COPY would keep them
    assert ingest._prepare_copy(b'a,b\n1,"{""x"": 1}"\n2,"{""y"": 2}"\n') is None  # objects: no CHECK mirrors them
    assert ingest._prepare_copy(b"a,b\n1,2\n3\n") is None  # ragged sample
    assert ingest._prepare_copy(b"a,a\n1,2\n").report[0]["type"] == "duplicate-label"


@postgres_only
def test_on_postgresql_a_valid_csv_is_checked_by_copy_not_row_by_row(publisher, resource, monkeypatch):
    def row_by_row(parsed):
        raise AssertionError("frictionless validated the rows of a file COPY had accepted")

    monkeypatch.setattr(ingest, "validate", row_by_row)
    version = services.upload_version(publisher, resource, encode(rows()), "flows.csv")
    assert version.valid and version.row_count == ROWS


@postgres_only
def test_the_type_checks_of_copy_accept_nothing_frictionless_refuses(db):
    from frictionless import Field

    values = [
        "true",
        "True",
        "TRUE",
        "1",
        "false",
        "FALSE",
        "0",
        "yes",
        "t",
        " true",
        "1999",
        "0999",
        "+999",
        "999",
        "99999",
        " 1999",
        "2021-02",
        "2021-2",
        "2021-13",
        "0000-01",
        "2021-02-28",
        "2021-02-30",
        "2020-02-29",
        "0000-01-01",
        "2021-1-5",
        "2021-01-05 ",
        "21-01-05",
        "10:30:00",
        "24:00:00",
        "10:30",
        "10:30:00.1234567",
        "10:30:60",
        "2021-02-28T10:30:00",
        "2021-02-28T10:30:00Z",
        "2021-02-28T10:30:00+05:00",
        "2021-02-28 10:30:00",
        "2021-02-30T10:30:00",
        "2021-02-28T24:00:00",
        "2021-02-28T10:30:00+24:00",
        "2021-02-28T10:30:00.123456789",
    ]
    accepted_some = set()
    for type_ in datastore.TEXT_CHECKS:
        reader = Field.from_descriptor({"name": "x", "type": type_})
        for value in values:
            check = datastore.TEXT_CHECKS[type_].format(c="%s::text")
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(f"SELECT COALESCE(({check}), false)", [value] * check.count("%s"))
                    accepted = cursor.fetchone()[0]
            except DatabaseError:  # the cast in the CHECK raised: COPY stops, the same as refusing
                accepted = False
            if accepted:
                assert not reader.read_cell(value)[1], (type_, value)
                accepted_some.add(type_)
    assert accepted_some == set(datastore.TEXT_CHECKS)  # each check lets its valid values through


@postgres_only
def test_indexes_follow_the_load_and_the_command_finds_none_missing(publisher, resource, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = services.upload_version(publisher, resource, encode(rows()), "flows.csv")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [version.table_name])
        names = {name for (name,) in cursor.fetchall()}
    columns = {f"{version.table_name}_c{i}" for i in range(len(HEADER))}
    assert names == {f"{version.table_name}_id", *columns, f"{version.table_name}_text"}  # _text: q's trigram index
    from io import StringIO

    out = StringIO()
    call_command("build_datastore_indexes", stdout=out)
    assert "Indexed 0 " in out.getvalue()


@postgres_only
def test_a_huge_total_is_estimated_and_says_so(publisher, resource, client, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the indexes and ANALYZE after the load
        services.upload_version(publisher, resource, encode(rows()), "flows.csv")
    settings.ASHYQ_DATASTORE_TOTAL_ESTIMATION_THRESHOLD = 100
    url = "/api/3/action/datastore_search"
    result = client.get(url, {"resource_id": str(resource.pk), "filters": '{"country": ["Korea", "China"]}', "limit": 2}).json()[
        "result"
    ]
    assert result["total_was_estimated"] is True and 0.3 * ROWS <= result["total"] <= 0.5 * ROWS
    result = client.get(
        url,
        {
            "resource_id": str(resource.pk),
            "filters": '{"country": ["Korea", "China"]}',
            "limit": 2,
            "total_estimation_threshold": "null",
        },
    ).json()["result"]
    assert result["total_was_estimated"] is False and result["total"] == 2 * ROWS // 5
    result = client.get(url, {"resource_id": str(resource.pk), "limit": 2}).json()["result"]
    assert result["total_was_estimated"] is False and result["total"] == ROWS  # no filter: the row count, exact


def test_a_total_is_counted_below_the_threshold(publisher, resource, client):
    services.upload_version(publisher, resource, encode(rows()), "flows.csv")
    result = client.get(
        "/api/3/action/datastore_search",
        {"resource_id": str(resource.pk), "filters": '{"country": "Korea"}', "offset": ROWS // 5 - 10, "sort": "id desc"},
    ).json()["result"]
    assert result["total"] == ROWS // 5 and result["total_was_estimated"] is False
    assert [r["id"] for r in result["records"]] == list(range(49, 0, -5))  # Korea is every fifth row from id 4


@postgres_only
def test_a_query_that_runs_too_long_is_cancelled(db, monkeypatch):
    monkeypatch.setattr(datastore, "statement_timeout_ms", lambda: 50)
    with pytest.raises(datastore.QueryError, match="too long"), datastore._bounded() as cursor:
        cursor.execute("SELECT pg_sleep(1)")
    with connection.cursor() as cursor:  # the connection is usable afterwards
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_a_bom_is_not_part_of_the_first_column_name(publisher, resource):
    version = services.upload_version(publisher, resource, codecs.BOM_UTF8 + encode(rows(5)), "bom.csv")
    assert version.valid and version.schema["fields"][0]["name"] == "id"
