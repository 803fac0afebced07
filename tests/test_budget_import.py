"""import_budget on the real execution reports: the leaves add up to the source's totals, phase by phase; the
import is idempotent, refuses bad rows with a reason, and publishes a valid Fiscal Data Package."""

import datetime as dt
import gzip
import json
from decimal import Decimal

import frictionless
import pytest
from django.core.management import call_command
from django.db.models import Sum

from ashyq.budget import package, services, source
from ashyq.budget.models import Administrator, BudgetImport, Fact, Line
from ashyq.opendata.models import Dataset

MONTHS = ["01.2023", "06.2024", "12.2024", "03.2025"]
ADDITIVE = [t for t, (_, _, kind, _) in source.TABLES.items() if kind != "economic"]


@pytest.fixture
def imported(reference):
    return services.import_budget(None, months=MONTHS, publish=False)


@pytest.fixture
def published(reference):
    # Publishing validates the facts CSV as any upload is validated: two months keep it quick.
    return services.import_budget(None, months=MONTHS[:2])


def _leaves_and_totals(table, month, phase):
    """Per section: the source's total and the sum of the leaves under it (from the database)."""
    facts = Fact.objects.filter(line__table=table, month=month, phase=phase)
    totals = {f.line.key: f.amount for f in facts.filter(line__is_total=True).select_related("line")}
    result = {}
    for section, total in totals.items():
        if section == "total":
            leaves = facts.filter(is_leaf=True).aggregate(s=Sum("amount"))["s"]
        else:
            leaves = facts.filter(is_leaf=True, line__key__startswith=section + "/").aggregate(s=Sum("amount"))["s"]
        result[section] = (total, leaves or Decimal(0))
    return result


@pytest.mark.django_db
def test_leaves_add_up_to_the_sources_totals_for_each_phase(imported):
    assert imported["refused"] == []
    checked = 0
    for table in ADDITIVE:
        for month in MONTHS:
            date = dt.date(int(month[3:]), int(month[:2]), 1)
            for phase in source.PHASES:
                for section, (total, leaves) in _leaves_and_totals(table, date, phase).items():
                    line = Line.objects.get(table=table, key=section)
                    if line.direction == "other":
                        continue  # balances: lending less repayments, the deficit; not sums of their lines
                    assert abs(leaves - total) <= Decimal(1), (table, month, phase, section, total, leaves)
                    checked += 1
    # 11 additive tables, up to 4 months, 5 phases, one or two sections each.
    assert checked > 250


@pytest.mark.django_db
def test_phases_are_distinct_figures_never_a_sum(imported):
    total = Line.objects.get(table="republican_by_administrator", key="total")
    figures = {f.phase: f.amount for f in total.facts.filter(month=dt.date(2024, 6, 1))}
    assert set(figures) == set(source.PHASES)
    # The source's own figures for 06.2024, one per phase.
    raw = gzip.decompress((source.DATA / "republican_by_administrator.csv.gz").read_bytes()).decode()
    row = next(r for r in raw.splitlines() if r.startswith("1;0;Итого;") and r.endswith(";06.2024")).split(";")
    assert figures["approved"] == Decimal(row[3]).quantize(Decimal("0.001"))
    assert figures["executed"] == Decimal(row[8]).quantize(Decimal("0.001"))
    assert figures["executed"] < figures["adjusted"]


@pytest.mark.django_db
def test_economic_tables_gap_is_reported_not_hidden(imported):
    gaps = {(g["table"], g["phase"]) for g in imported["reconciliation"]}
    # The portal does not break the approved budget down by economic category: the import says so.
    assert ("republican_by_economic", "approved") in gaps
    assert not any(g["table"] in ADDITIVE for g in imported["reconciliation"])


@pytest.mark.django_db
def test_import_is_idempotent(published):
    facts = Fact.objects.count()
    dataset = Dataset.objects.get(slug=services.DATASET_SLUG)
    versions = sorted((r.name, r.versions.count()) for r in dataset.resources.all())
    again = services.import_budget(None, months=MONTHS[:2])
    assert again["unchanged"] is True and again["rows_loaded"] == 0
    assert Fact.objects.count() == facts
    assert BudgetImport.objects.count() == 1
    assert sorted((r.name, r.versions.count()) for r in dataset.resources.all()) == versions


@pytest.mark.django_db
def test_new_figures_are_a_new_version_of_the_open_data_resource(published, client):
    dataset = Dataset.objects.get(slug=services.DATASET_SLUG)
    facts = dataset.resources.get(name=package.FILE_NAME)
    assert facts.current_version.number == 1 and facts.current_version.valid
    assert facts.current_version.row_count == Fact.objects.filter(phase="executed").count()
    first = BudgetImport.objects.get()
    services.import_budget(None, months=MONTHS[:1])
    assert facts.current_version.number == 2
    assert BudgetImport.objects.count() == 2
    # Each import keeps its descriptor, pointing at its own version of the facts.
    old = client.get(f"/budget/imports/{first.pk}/datapackage.json").json()
    assert old["resources"][0]["path"].endswith("/v1/download")
    assert client.get("/budget/datapackage.json").json()["resources"][0]["path"].endswith("/v2/download")


@pytest.mark.django_db
def test_fiscal_data_package_validates_with_frictionless(imported, tmp_path):
    (tmp_path / package.FILE_NAME).write_bytes(services.facts_csv())
    descriptor = package.descriptor(package.FILE_NAME, months=[dt.date(2023, 1, 1), dt.date(2025, 3, 1)])
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])[:5]
    measures = descriptor["model"]["measures"]
    assert {m["phase"] for m in measures.values()} == set(source.PHASES)
    assert all(m["currency"] == "KZT" and m["factor"] == 1000 for m in measures.values())


@pytest.mark.django_db
def test_published_descriptor_points_at_the_published_facts(published, client):
    dataset = Dataset.objects.get(slug=services.DATASET_SLUG)
    link = dataset.resources.get(name=package.PACKAGE_FILE)
    assert link.url.endswith("/budget/datapackage.json")
    descriptor = client.get("/budget/datapackage.json").json()
    facts = dataset.resources.get(name=package.FILE_NAME)
    download = client.get(f"/data/datasets/{dataset.slug}/resources/{facts.pk}/v{facts.current_version.number}/download")
    header = b"".join(download.streaming_content).decode().splitlines()[0]
    assert header.split(",") == [f["name"] for f in descriptor["resources"][0]["schema"]["fields"]]
    assert descriptor["resources"][0]["path"].endswith(f"/resources/{facts.pk}/v{facts.current_version.number}/download")
    assert "model" in descriptor


@pytest.mark.django_db
def test_budget_dataset_is_in_the_ckan_api_and_dcat(published, client):
    found = client.get("/api/3/action/package_show", {"id": services.DATASET_SLUG}).json()
    assert found["success"] and {r["name"] for r in found["result"]["resources"]} == {package.FILE_NAME, package.PACKAGE_FILE}
    assert found["result"]["organization"]["name"] == "ministry-of-finance"
    catalogue = client.get("/data/catalog.ttl").content.decode()
    assert f"/data/datasets/{services.DATASET_SLUG}/" in catalogue


@pytest.mark.django_db
def test_administrators_map_to_bodies_by_name_and_code_and_the_rest_are_listed(imported, bodies):
    assert Administrator.objects.get(scope="republican", code="217").body == bodies["ministry-of-finance"]
    assert Administrator.objects.get(scope="republican", code="624").matched_by == "code"
    unmapped = {a["code"] for a in imported["unmapped"]}
    assert "694" in unmapped  # the Presidential Affairs Administration is no Ashyq body
    assert "217" not in unmapped
    assert not Administrator.objects.filter(scope="republican", code__in=unmapped, body__isnull=False).exists()


@pytest.mark.django_db
def test_local_budgets_carry_their_region(imported, regions):
    line = Line.objects.get(table="local_almaty_city", key="2")
    assert line.level == "local" and line.region == regions["KZ-75"]
    assert Line.objects.filter(table="local_almaty_city", kind="administrator").exists()


@pytest.mark.django_db
def test_bad_rows_are_refused_with_why_and_the_rest_loaded(reference, tmp_path, capsys):
    good = "id;code;name;utv;utch;plg;plgp;plgo;sumrg;obz;obzsumrg;plgpsumrg;plgsumrg;level;isLeaf;loaded;expanded;month\n"
    good += "1;0;Итого;10.0;10.0;0;4.0;0;3.0;0;0;0;0;0;True;True;False;01.2024\n"
    good += "2;217;Министерство финансов Республики Казахстан;10.0;10.0;0;4.0;0;3.0;0;0;0;0;0;True;True;False;01.2024\n"
    good += "3;204;Министерство иностранных дел;ten;10.0;0;4.0;0;3.0;0;0;0;0;0;True;True;False;01.2024\n"
    good += "4;208;Министерство обороны;1;1;0;1;0;1;0;0;0;0;0;True;True;False;2024-01\n"
    (tmp_path / "republican_by_administrator.csv").write_text(good, encoding="utf-8")
    call_command("import_budget", source=str(tmp_path), no_publish=True)
    out = capsys.readouterr().out
    assert "rows read 4, loaded 2, refused 2" in out
    assert "row 4: utv='ten' is not a number" in out
    assert "row 5: month '2024-01' is not MM.YYYY" in out
    assert Line.objects.filter(table="republican_by_administrator").count() == 2
    assert Fact.objects.get(line__code="217", phase="executed").amount == Decimal("3.000")


@pytest.mark.django_db
def test_only_an_administrator_may_import(reference, make_user):
    from django.core.exceptions import PermissionDenied

    from ashyq.accounts.models import Role

    with pytest.raises(PermissionDenied):
        services.import_budget(make_user(Role.MONITOR), months=MONTHS[:1], publish=False)
    assert not Fact.objects.exists()
