"""The open-data export: `manage.py export_public_data` writes published appeals and their events as CSV
and JSON with a Frictionless datapackage.json (CC BY 4.0); the open-data page documents the fields and
serves the latest files, making them on demand the first time."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal
from ashyq.publicdata import export
from tests.public_record_helpers import publish, publish_answer

MONDAY = dt.date(2026, 11, 2)


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.ASHYQ_EXPORT_DIR = tmp_path / "exports"
    return settings.ASHYQ_EXPORT_DIR


@pytest.fixture
def case(people, submit, at):
    """Addressed to the prosecutor's office, redirected to the agency, extended, answered late, rated, complained about."""
    with at(MONDAY):
        appeal = submit(people["applicant"], body="general-prosecutors-office", subject="orig", text="orig")
    with at(MONDAY + dt.timedelta(days=1)):
        services.redirect_appeal(people["other_official"], appeal, people["official"].body, "Competence of the agency.")
    with at(dt.date(2026, 11, 10)):
        services.extend_deadline(people["head"], appeal, dt.date(2026, 12, 15), "Documents requested.")
    with at(dt.date(2026, 12, 16)):
        services.answer_appeal(people["official"], appeal, text="orig answer", outcome="explained")
        services.record_feedback(people["applicant"], appeal, resolution="partly", rating=3, comment="secret comment")
        complaint = services.complain_about_answer(people["applicant"], appeal, text="The answer is formal.")
    publish(appeal, "Тема", 'Публичный текст, строка 1\nстрока 2, "кавычки"')
    publish_answer(appeal, "Публичный ответ")
    publish(complaint, "Жалоба", "Публичная жалоба", show_name=True)
    submit(people["applicant"], subject="private", text="private")  # never exported
    return {"appeal": Appeal.objects.get(pk=appeal.pk), "complaint": Appeal.objects.get(pk=complaint.pk)}


def read_csv(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_the_command_writes_csv_json_and_a_datapackage(case, tmp_path, people):
    out = tmp_path / "elsewhere"
    stdout = io.StringIO()
    call_command("export_public_data", "--out", str(out), stdout=stdout)
    assert "Exported 2 appeals" in stdout.getvalue()
    assert sorted(p.name for p in out.iterdir()) == sorted(export.FILES)

    appeals = {r["number"]: r for r in read_csv(out / "appeals.csv")}
    assert set(appeals) == {case["appeal"].number, case["complaint"].number}
    row = appeals[case["appeal"].number]
    assert row["addressed_body"] == "general-prosecutors-office" and row["body"] == "anti-corruption-agency"
    assert row["redirect_chain"] == "general-prosecutors-office|anti-corruption-agency"
    assert row["region"] == "KZ-75" and row["type"] == "report" and row["status"] == "answered"
    assert row["registered_at"].startswith("2026-11-02T10:00:00+05:00") and row["received_on"] == "2026-11-03"
    assert row["due_on"] == "2026-12-15" and row["extensions"] == "1"
    assert row["outcome"] == "explained" and row["answered_on_time"] == "false" and row["answered_at"].startswith("2026-12-16")
    assert row["feedback_resolution"] == "partly" and row["feedback_rating"] == "3"
    assert row["subject"] == "Тема" and row["text"] == 'Публичный текст, строка 1\nстрока 2, "кавычки"'
    assert row["answer_text"] == "Публичный ответ"
    assert row["applicant_alias"] == people["applicant"].public_alias
    complaint = appeals[case["complaint"].number]
    assert complaint["complaint_about"] == case["appeal"].number
    assert complaint["applicant_alias"] == ""  # named on the page: the alias would unmask their other appeals
    assert complaint["outcome"] == "" and complaint["answered_on_time"] == ""

    as_json = {r["number"]: r for r in json.loads((out / "appeals.json").read_text(encoding="utf-8"))}
    assert as_json[case["appeal"].number]["redirect_chain"] == ["general-prosecutors-office", "anti-corruption-agency"]
    assert as_json[case["appeal"].number]["extensions"] == 1 and as_json[case["complaint"].number]["outcome"] is None

    events = read_csv(out / "events.csv")
    mine = [e for e in events if e["appeal"] == case["appeal"].number]
    assert [e["kind"] for e in mine] == ["registered", "redirected", "extended", "answered", "feedback", "complained"]
    assert [e["seq"] for e in mine] == ["1", "2", "3", "4", "5", "6"]
    assert mine[1]["from_body"] == "general-prosecutors-office" and mine[1]["to_body"] == "anti-corruption-agency"
    assert list(events[0]) == [f[0] for f in export.EVENT_FIELDS]
    assert json.loads((out / "events.json").read_text(encoding="utf-8"))[0]["appeal"] == events[0]["appeal"]


def test_the_stays_file_gives_each_published_appeals_route_as_the_site_keeps_it(case, export_dir):
    export.write_export()
    stays = read_csv(export_dir / "stays.csv")
    assert list(stays[0]) == [f[0] for f in export.STAY_FIELDS]
    assert "applicant_staff" not in stays[0]  # whether the applicant works at the body is a fact about a person
    assert {r["appeal"] for r in stays} == {case["appeal"].number, case["complaint"].number}  # never the private one
    first, second = [r for r in stays if r["appeal"] == case["appeal"].number]
    assert (first["seq"], first["body"], first["addressed"], first["received_on"]) == (
        "1",
        "general-prosecutors-office",
        "true",
        "2026-11-02",
    )
    assert (first["ending"], first["outcome"], first["answered_on_time"], first["extended"]) == ("redirected", "", "", "")
    assert first["ended_at"] == second["received_at"] and second["received_at"].startswith("2026-11-03T10:00:00+05:00")
    assert (second["body"], second["addressed"], second["received_on"], second["due_on"]) == (
        "anti-corruption-agency",
        "false",
        "2026-11-03",
        "2026-12-15",
    )
    assert (second["ending"], second["outcome"], second["answered_on_time"], second["extended"]) == (
        "answered",
        "explained",
        "false",
        "true",
    )
    (open_stay,) = [r for r in stays if r["appeal"] == case["complaint"].number]
    assert open_stay["ending"] == "" and open_stay["ended_at"] == ""
    as_json = json.loads((export_dir / "stays.json").read_text(encoding="utf-8"))
    assert [r["ending"] for r in as_json if r["appeal"] == case["complaint"].number] == [None]
    assert [r["extended"] for r in as_json if r["appeal"] == case["appeal"].number] == [None, True]
    # Each appeal's redirect chain is its stays' bodies, and equals what its events say: the addressee, then each
    # redirect's receiver.
    events = read_csv(export_dir / "events.csv")
    for appeal in read_csv(export_dir / "appeals.csv"):
        chain = appeal["redirect_chain"].split("|")
        assert chain == [r["body"] for r in stays if r["appeal"] == appeal["number"]]
        redirects = [e["to_body"] for e in events if e["appeal"] == appeal["number"] and e["kind"] == "redirected"]
        assert chain == [appeal["addressed_body"], *redirects]


def test_the_datapackage_describes_every_field_and_the_licence(case, export_dir):
    export.write_export()
    package = json.loads((export_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "data-package" and package["name"] == "ashyq-public-appeals"
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    resources = {r["name"]: r for r in package["resources"]}
    tables = {
        "appeals": "appeals",
        "events": "events",
        "stays": "stays",
        "body-month-figures": "body_month_figures",
        "region-month-figures": "region_month_figures",
        "regions": "regions",
        "analysis-month-figures": "analysis_month_figures",
    }
    # The record's Merkle tree and its signed checkpoints (docs/operations.md section 9): CSV and JSON only.
    assert set(resources) == set(tables) | {f"{name}-json" for name in tables} | {"merkle-leaves", "checkpoints"}
    leaves_header = next(csv.reader((export_dir / "merkle_leaves.csv").open(encoding="utf-8")))
    assert [f["name"] for f in resources["merkle-leaves"]["schema"]["fields"]] == leaves_header
    assert package["as_of"] == package["created"][:10]
    for name, stem in tables.items():
        header = next(csv.reader((export_dir / f"{stem}.csv").open(encoding="utf-8")))
        fields = resources[name]["schema"]["fields"]
        assert [f["name"] for f in fields] == header
        assert all(
            f["description"] and f["type"] in {"string", "integer", "boolean", "date", "datetime", "object"} for f in fields
        )
        assert resources[f"{name}-json"]["path"] == f"{stem}.json"
    assert resources["events"]["schema"]["foreignKeys"][0]["reference"] == {"resource": "appeals", "fields": ["number"]}
    assert resources["stays"]["schema"]["foreignKeys"][0]["reference"] == {"resource": "appeals", "fields": ["number"]}
    assert resources["stays"]["schema"]["primaryKey"] == ["appeal", "seq"]


def test_the_open_data_page_documents_the_fields_and_serves_files_made_on_demand(client, case, export_dir):
    page = client.get(reverse("open-data"))
    html = page.content.decode()
    assert page.status_code == 200 and "CC BY 4.0" in html and "No export has been made yet" in html
    for name, *_ in export.APPEAL_FIELDS + export.EVENT_FIELDS + export.STAY_FIELDS:
        assert f"<code>{name}</code>" in html
    assert "stays.csv" in html
    response = client.get(reverse("open-data-file", args=["appeals.csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    assert case["appeal"].number in body
    assert (export_dir / "datapackage.json").exists()
    assert "Latest export" in client.get(reverse("open-data")).content.decode()
    # A later export replaces the files the site serves.
    services_appeal = Appeal.objects.get(pk=case["complaint"].pk)
    Appeal.objects.filter(pk=services_appeal.pk).update(hidden_at=services_appeal.published_at)
    call_command("export_public_data", stdout=io.StringIO())
    body = b"".join(client.get(reverse("open-data-file", args=["appeals.json"])).streaming_content).decode()
    assert case["complaint"].number not in body and case["appeal"].number in body
    assert client.get("/open-data/appeals/secrets.csv").status_code == 404
