"""The demo's Anti-Corruption Agency mailbox: appeals from the starter corpus played through the real
services, so the Agency's content-analysis report answers the study's four questions on demo data."""

import pytest
from django.core import mail

from ashyq.accounts.models import Role
from ashyq.analysis import reports, services
from ashyq.analysis.models import ClassifierModel, Label, Source
from ashyq.demo import mailbox
from ashyq.dialogue.integrity import verify_all
from ashyq.dialogue.models import Appeal


@pytest.mark.django_db
def test_the_agency_report_answers_the_four_questions_on_the_demo_mailbox(bodies, make_user, run_queue):
    agency = bodies["anti-corruption-agency"]
    official = make_user(Role.OFFICIAL, agency, username="demo-official-acc", email="demo-official-acc@demo.ashyq.example")
    trained = mailbox.train_starter_models()
    assert set(trained) == {"cause", "sector", "routing"}
    assert all(m.trained_on.startswith("the starter corpus") for m in ClassifierModel.objects.all())

    with run_queue:
        added = mailbox.load_mailbox(official, size=60)
    assert added == 60 and mailbox.load_mailbox(official, size=60) == 0  # loading twice changes nothing
    appeals = Appeal.objects.filter(idempotency_key__startswith="mailbox-")
    assert all("Synthetic demo appeal" in a.text for a in appeals)
    assert list(verify_all(appeals)) == []  # real records: every hash chain is whole
    # Most suggestions are confirmed by the Agency's official; the rest stay the model's.
    sources = set(Label.objects.values_list("source", flat=True))
    assert sources == {Source.PERSON, Source.MODEL}
    assert Label.objects.filter(source=Source.PERSON, set_by=official).exists()

    report = reports.report(reports.scope(agency))
    causes = {r["cause"]: r["count"] for r in report["causes"]["rows"]}
    assert report["causes"]["total"] == 60 and sum(1 for n in causes.values() if n) >= 5  # 1. why people write
    assert sum(r["count"] for r in report["regions"]["rows"]) == 60  # 2. from where
    assert {r["sector"] for r in report["sectors"]["rows"] if r["count"]} >= {"law-enforcement"}  # 3. which sectors
    handled = {r["handling"]: r["count"] for r in report["handling"]["rows"]}  # 4. how it responded
    assert handled["redirected"] > 0 and handled["investigation"] > 0
    assert report["redirects"]["total"] == handled["redirected"]
    assert not mail.outbox or all("demo.ashyq.example" in m.to[0] for m in mail.outbox)
    assert services.active_model("routing")[1] is not None
