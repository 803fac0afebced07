"""The appeal tables carry no index twice. Each new appeal writes a row to every index of its tables, so a
single-column index on a key that a composite index already leads with only slows every submission; and every
foreign key still has an index it leads, so its lookups and the checks on deleting what it points to stay cheap."""

import pytest
from django.db import connection

from ashyq.dialogue.models import Appeal, AppealEvent, AppealStay

TABLES = [Appeal, AppealEvent, AppealStay]


def _indexes(model) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: c["columns"] for name, c in constraints.items() if (c["index"] or c["unique"]) and c["columns"]}


@pytest.mark.django_db
@pytest.mark.parametrize("model", TABLES, ids=lambda m: m.__name__)
def test_every_foreign_key_leads_an_index(model):
    leading = {columns[0] for columns in _indexes(model).values()}
    keys = [f.column for f in model._meta.concrete_fields if f.is_relation]
    assert keys and [k for k in keys if k not in leading] == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", TABLES, ids=lambda m: m.__name__)
def test_no_single_column_index_repeats_the_lead_of_a_wider_one(model):
    indexes = _indexes(model)
    wide_leads = {columns[0] for columns in indexes.values() if len(columns) > 1}
    single = {name: columns[0] for name, columns in indexes.items() if len(columns) == 1}
    # A unique single column (the primary key, a one-to-one) is a rule, not a duplicate.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    repeated = sorted(name for name, column in single.items() if column in wide_leads and not constraints[name]["unique"])
    assert repeated == []


@pytest.mark.django_db
def test_the_appeal_number_has_one_index():
    """Its unique index; not also PostgreSQL's pattern index for LIKE 'prefix%', which no query uses."""
    on_number = sorted(name for name, columns in _indexes(Appeal).items() if columns == ["number"])
    assert len(on_number) == 1, on_number
