"""A hidden appeal leaves the served open-data export at once: its rows go from the appeals, events and stays files
(CSV and JSON) as soon as the hide commits, the other appeals stay, and the files still parse."""

import csv
import io
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from ashyq.moderation import services as moderation
from ashyq.moderation.models import Target
from ashyq.publicdata import export, withdrawal


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.ASHYQ_EXPORT_DIR = tmp_path / "exports"
    settings.ASHYQ_REPORTS_TO_HIDE = 1
    return settings.ASHYQ_EXPORT_DIR


@pytest.fixture
def published(people, submit):
    appeals = []
    for n in range(3):
        appeal = submit(
            people["applicant"], subject=f"Lift {n}", text=f'The lift is broken, line 1\nline 2, "quoted" {n}', is_public=True
        )
        moderation.approve(people["moderator"], appeal, target=Target.APPEAL)
        appeal.refresh_from_db()
        appeals.append(appeal)
    export.write_export()
    return appeals


def served(name):
    response = Client().get(reverse("open-data-file", args=[name]))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def numbers_in(name):
    text = served(name)
    column = "number" if name.startswith("appeals") else "appeal"
    if name.endswith(".json"):
        return [row[column] for row in json.loads(text)]
    return [row[column] for row in csv.DictReader(io.StringIO(text))]


FILES = ("appeals.csv", "appeals.json", "events.csv", "events.json", "stays.csv", "stays.json")


def test_an_appeal_hidden_after_reports_leaves_every_served_file_at_once(client, published, django_capture_on_commit_callbacks):
    hidden, *others = published
    assert all(hidden.number in numbers_in(name) for name in FILES)  # the check is not empty
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/moderation/report/{hidden.pk}/", {"target": "appeal", "reason": "personal_data"})
    assert response.status_code == 302
    hidden.refresh_from_db()
    assert hidden.hidden_at is not None
    for name in FILES:
        numbers = numbers_in(name)  # parses
        assert hidden.number not in numbers, name
        assert all(o.number in numbers for o in others), name
    assert hidden.number not in served("appeals.csv") and "line 2" in served("appeals.csv")


def test_a_moderator_keeping_it_hidden_also_withdraws_what_a_later_export_brought_back(
    people, published, django_capture_on_commit_callbacks
):
    hidden = published[0]
    with django_capture_on_commit_callbacks(execute=True):
        moderation.report_abuse(AnonymousUser(), "198.51.100.1", hidden, target="appeal", reason="offensive")
    for name in FILES:
        assert hidden.number not in numbers_in(name)
    # A nightly export that read the database before the hide could not bring it back: it reads after the lock.
    export.write_export()
    with django_capture_on_commit_callbacks(execute=True):
        moderation.keep_hidden(people["moderator"], hidden, reason="offensive")
    for name in FILES:
        assert hidden.number not in numbers_in(name)


def test_withdrawal_keeps_the_descriptor_true_of_sizes_and_hashes(published, export_dir):
    descriptor = export_dir / "datapackage.json"
    package = json.loads(descriptor.read_text())
    for resource in package["resources"]:
        if resource["path"] == "appeals.csv":
            resource["bytes"], resource["hash"] = 0, "sha256:0"
    descriptor.write_text(json.dumps(package))
    # Its row, its events' rows and its stays' rows.
    removed = 1 + published[0].events.count() + published[0].stays.count()
    assert withdrawal.withdraw({published[0].number}) == removed
    package = json.loads(descriptor.read_text())
    appeals = next(r for r in package["resources"] if r["path"] == "appeals.csv")
    data = (export_dir / "appeals.csv").read_bytes()
    import hashlib

    assert appeals["bytes"] == len(data) and appeals["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_after_a_withdrawal_the_export_still_verifies_and_no_leaf_names_the_hidden_appeal(
    people, published, export_dir, django_capture_on_commit_callbacks
):
    """The tree's leaves stay (every signed root depends on them) but stop naming the appeal, as the nightly export
    writes them; otherwise the standalone verifier would report the appeal's events as removed from the record."""
    from ashyq.dialogue import transparency, verify_record

    transparency.make_checkpoint()
    export.write_export()
    hidden = published[0]
    assert hidden.number in (export_dir / "merkle_leaves.csv").read_text()
    leaves_before = len(list(csv.DictReader(io.StringIO((export_dir / "merkle_leaves.csv").read_text()))))
    with django_capture_on_commit_callbacks(execute=True):
        moderation.report_abuse(AnonymousUser(), "198.51.100.1", hidden, target="appeal", reason="offensive")
    leaves = list(csv.DictReader(io.StringIO((export_dir / "merkle_leaves.csv").read_text())))
    assert len(leaves) == leaves_before and all(row["appeal"] != hidden.number for row in leaves)
    assert any(row["appeal"] == published[1].number for row in leaves)
    assert verify_record.check_export(export_dir) == []
