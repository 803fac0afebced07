"""The reference rows a submission reads (region, body, regulation in force) come from each process's memory
(core/reference.py), and a change by an operator is seen by the next submission of every process: never a stale
regulation, body or region once the change has committed, and nothing kept from a change rolled back."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.signals import post_migrate, post_save
from django.test.utils import CaptureQueriesContext

from ashyq.bodies.models import Body
from ashyq.core import reference as reference_rows
from ashyq.dialogue import deadlines
from ashyq.dialogue.models import Appeal, Regulation

DAY = dt.date(2026, 12, 7)  # a Monday


@pytest.fixture
def post(client, people, token_for):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(people['applicant'])}"}

    def send(subject="Bribe demanded", body="anti-corruption-agency"):
        fields = {"body": body, "type": "report", "subject": subject, "text": "An official asked for money.", "region": "KZ-75"}
        response = client.post("/api/v1/appeals", fields, content_type="application/json", **headers)
        assert response.status_code == 201, response.content
        return Appeal.objects.select_related("regulation").get(pk=response.json()["id"])

    return send


def test_a_submission_reads_no_reference_row_once_its_process_holds_them(post, at):
    with at(DAY):
        reference_rows.forget()  # a process started after the fixtures' rows were committed
        post("First")
        with CaptureQueriesContext(connection) as captured:
            appeal = post("Second")
    read = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert not [
        sql for sql in read if any(t in sql for t in ('FROM "core_region"', 'FROM "bodies_body"', 'FROM "dialogue_regulation"'))
    ]
    # The appeal is registered as before, with the rows the memory gave.
    assert (appeal.region.iso_code, appeal.body.slug, appeal.regulation.version) == ("KZ-75", "anti-corruption-agency", 1)


def test_a_new_regulation_saved_by_an_operator_applies_to_the_next_submission(post, at, django_capture_on_commit_callbacks):
    with at(DAY):
        reference_rows.forget()
        first = post("Under v1")
        assert first.regulation.version == 1
        with django_capture_on_commit_callbacks(execute=True):
            Regulation.objects.create(version=2, title="Amended code", effective_from=DAY, answer_working_days=10)
        appeal = post("Under v2")
    assert appeal.regulation.version == 2
    assert appeal.due_on == deadlines.answer_due_on(DAY, appeal.regulation) < first.due_on  # 10 working days, not 15


def test_a_change_committed_by_another_process_is_seen_by_this_one(post, at):
    """Another process's change reaches this one through the version in the shared cache, not its signals."""
    with at(DAY):
        reference_rows.forget()
        assert post("Under v1").regulation.version == 1
        uid = "ashyq.core.reference.regulation.save"
        post_save.disconnect(reference_rows.changed, sender=Regulation, dispatch_uid=uid)  # the other process's signal
        try:
            Regulation.objects.create(version=2, title="Amended code", effective_from=DAY, answer_working_days=10)
        finally:
            post_save.connect(reference_rows.changed, sender=Regulation, dispatch_uid=uid)
        reference_rows._renew()  # what the other process does once its change has committed
        assert post("Under v2").regulation.version == 2


def test_a_body_renamed_shows_at_once_and_a_rolled_back_change_is_not_kept(post):
    reference_rows.forget()
    post()
    body = Body.objects.get(slug="anti-corruption-agency")
    with pytest.raises(RuntimeError), transaction.atomic():
        body.accepts_appeals = False
        body.save()
        # Inside the transaction that changed it, the change is read from the database, not from memory.
        assert reference_rows.get("body", body.slug, Body.objects.filter(slug=body.slug).first).accepts_appeals is False
        raise RuntimeError("the operator's request failed")
    assert post().body.accepts_appeals is True
    body.refresh_from_db()
    body.name_en = "Anti-Corruption Agency (renamed)"
    body.save()
    assert reference_rows.get("body", body.slug, Body.objects.filter(slug=body.slug).first).name_en.endswith("(renamed)")


def test_a_migration_renews_the_rows_of_every_process(db, django_capture_on_commit_callbacks):
    reference_rows.forget()
    assert deadlines.current_regulation(DAY).version == 1
    before = caches[reference_rows.ALIAS].get(reference_rows.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        post_migrate.send(
            sender=apps.get_app_config("core"),
            app_config=apps.get_app_config("core"),
            using="default",
            verbosity=0,
            interactive=False,
            plan=[],
            apps=apps,
        )
    assert caches[reference_rows.ALIAS].get(reference_rows.VERSION_KEY) != before


def test_the_rows_handed_out_are_copies(db):
    reference_rows.forget()
    first = deadlines.current_regulation(DAY)
    first.answer_working_days = 99  # a caller's change to its copy
    assert deadlines.current_regulation(DAY).answer_working_days == 15


def test_without_a_shared_cache_that_keeps_a_version_every_lookup_reads_the_database(db, settings):
    settings.CACHES = {**settings.CACHES, "pages": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    reference_rows.forget()
    assert deadlines.current_regulation(DAY).version == 1
    post_save.disconnect(reference_rows.changed, sender=Regulation, dispatch_uid="ashyq.core.reference.regulation.save")
    try:  # as another process would change it: no signal here, and no version to tell this process
        Regulation.objects.create(version=2, title="Amended code", effective_from=DAY, answer_working_days=10)
    finally:
        post_save.connect(reference_rows.changed, sender=Regulation, dispatch_uid="ashyq.core.reference.regulation.save")
    assert deadlines.current_regulation(DAY).version == 2


def test_rows_kept_in_memory_are_read_from_the_primary_in_a_request_that_reads_from_a_replica(db):
    from ashyq.core import replica

    reference_rows.forget()
    read_from = []

    def load():
        read_from.append(replica._reads_from.get())
        return Regulation.objects.first()

    token = replica._reads_from.set(replica.REPLICA)  # what ReplicaMiddleware sets for a GET
    try:
        reference_rows.get("regulation", DAY, load)
    finally:
        replica._reads_from.reset(token)
    assert read_from == ["default"]
