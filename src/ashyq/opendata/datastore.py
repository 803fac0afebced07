"""A datastore table per resource version: its rows, typed, for preview, filtering, sorting and the Action API.

Columns are named c0, c1, ... (the real names stay in the version's schema), so no name a publisher
writes ever reaches SQL. PostgreSQL is loaded with COPY; other databases with a bulk insert.
"""
from django.db import connection

SQL_TYPES = {"integer": "BIGINT", "number": "DOUBLE PRECISION"}
CKAN_TYPES = {"integer": "int", "number": "numeric"}


def _column_sql(type_: str) -> str:
    return SQL_TYPES.get(type_, "TEXT")


def create_and_load(version, fields: list[dict], rows: list[tuple]) -> None:
    table = connection.ops.quote_name(version.table_name)
    columns = ", ".join(f"c{i} {_column_sql(f['type'])}" for i, f in enumerate(fields))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {table} (_id INTEGER PRIMARY KEY, {columns})")
        names = ", ".join(["_id", *[f"c{i}" for i in range(len(fields))]])
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for n, row in enumerate(rows, start=1):
                    copy.write_row((n, *row))
        else:
            marks = ", ".join(["%s"] * (len(fields) + 1))
            batch = 5000
            for start in range(0, len(rows), batch):
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",
                    [(start + n, *row) for n, row in enumerate(rows[start:start + batch], start=1)],
                )


def drop(version) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(version.table_name)}")


class QueryError(ValueError):
    """A filter, field or sort that names no column (the Action API answers it as a Validation Error)."""


def search(version, *, filters=None, q="", fields=None, sort="", limit=100, offset=0, include_total=True):
    """Records of a version's table as dicts keyed by the real column names, with the total that matched."""
    schema_fields = version.schema.get("fields", [])
    index = {f["name"]: i for i, f in enumerate(schema_fields)}
    index["_id"] = None
    column = lambda name: "_id" if name == "_id" else f"c{index[name]}"  # noqa: E731
    wanted = list(fields) if fields else ["_id", *[f["name"] for f in schema_fields]]
    unknown = [name for name in [*wanted, *(filters or {})] if name not in index]
    if unknown:
        raise QueryError(f"field(s) not found: {', '.join(unknown)}")
    where, params = [], []
    for name, value in (filters or {}).items():
        values = value if isinstance(value, list) else [value]
        where.append(f"{column(name)} IN ({', '.join(['%s'] * len(values))})")
        params += [_param(v, name, schema_fields, index) for v in values]
    if q:
        text_columns = [f"c{i}" for i, f in enumerate(schema_fields)]
        like = " OR ".join(f"LOWER(CAST({c} AS TEXT)) LIKE %s" for c in text_columns)
        where.append(f"({like})")
        params += [f"%{q.lower()}%"] * len(text_columns)
    order = []
    for part in [p.strip() for p in (sort or "").split(",") if p.strip()]:
        name, _, direction = part.partition(" ")
        name = name.strip('"')
        if name not in index or direction.strip().lower() not in ("", "asc", "desc"):
            raise QueryError(f"cannot sort by {part!r}")
        order.append(f"{column(name)} {'DESC' if direction.strip().lower() == 'desc' else 'ASC'}")
    order.append("_id ASC")
    table = connection.ops.quote_name(version.table_name)
    where_sql = f" WHERE {' AND '.join(where)}" if where else ""
    select = ", ".join(column(name) for name in wanted)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM {table}{where_sql} ORDER BY {', '.join(order)} LIMIT %s OFFSET %s",
                       [*params, int(limit), int(offset)])
        records = [dict(zip(wanted, row)) for row in cursor.fetchall()]
        total = None
        if include_total:
            cursor.execute(f"SELECT COUNT(*) FROM {table}{where_sql}", params)
            total = cursor.fetchone()[0]
    return records, total, wanted


def _param(value, name, schema_fields, index):
    if name == "_id":
        return int(value)
    type_ = schema_fields[index[name]]["type"]
    try:
        if type_ == "integer":
            return int(value)
        if type_ == "number":
            return float(value)
    except (TypeError, ValueError):
        raise QueryError(f"{name}: {value!r} is not a {type_}") from None
    return str(value)


def all_rows(version) -> list[tuple]:
    """Every row (without _id), in load order: for diffs and the showcase pages."""
    n = len(version.schema.get("fields", []))
    if not n or not version.loaded:
        return []
    cols = ", ".join(f"c{i}" for i in range(n))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols} FROM {connection.ops.quote_name(version.table_name)} ORDER BY _id")
        return [tuple(row) for row in cursor.fetchall()]
