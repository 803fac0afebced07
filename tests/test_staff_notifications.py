"""Officials and heads are told: an email for each appeal assigned to their body and a daily digest of its appeals due
within three working days and overdue, by the background queue, as each person chose; applicants get a receipt."""

import datetime as dt
import io

import pikepdf
import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from ashyq.core import calendar, clock
from ashyq.core.models import TaskMark
from ashyq.core.tasks import run_ready_tasks
from ashyq.dialogue import services, staff_notifications
from ashyq.dialogue.models import StaffNotificationPreference


def run_worker():
    run_ready_tasks()


def staff_emails(*users):
    addresses = {u.email for u in users}
    return [m for m in mail.outbox if set(m.to) & addresses]


def test_each_official_and_head_of_the_body_gets_an_email_for_a_new_appeal(people, submit):
    appeal = submit(people["applicant"], subject="Bribe for a permit")
    mail.outbox.clear()
    run_worker()
    got = staff_emails(people["official"], people["head"])
    assert sorted(m.to[0] for m in got) == sorted([people["official"].email, people["head"].email])
    assert all(appeal.number in m.subject and appeal.due_on.strftime("%d.%m.%Y") in m.body for m in got)
    assert f"/appeals/{appeal.pk}/" in got[0].body
    assert not staff_emails(people["other_official"], people["other_head"], people["moderator"])


def test_the_task_run_twice_sends_nothing_twice(people, submit):
    appeal = submit(people["applicant"])
    event = appeal.events.get()
    mail.outbox.clear()
    assert staff_notifications.send_appeal_notices(appeal.pk, event.seq) == 2
    assert staff_notifications.send_appeal_notices(appeal.pk, event.seq) == 0
    assert len(mail.outbox) == 2


def test_a_redirect_tells_the_receiving_body(people, submit, bodies):
    appeal = submit(people["applicant"])
    services.redirect_appeal(people["official"], appeal, bodies["general-prosecutors-office"], "Not our competence.")
    mail.outbox.clear()
    run_worker()
    got = staff_emails(people["other_official"])
    assert len(got) == 1 and "Redirected by" in got[0].body


def test_emails_go_out_in_each_persons_language(people, submit):
    people["head"].language = "ru"
    people["head"].save()
    appeal = submit(people["applicant"])
    mail.outbox.clear()
    run_worker()
    (russian,) = staff_emails(people["head"])
    assert f"Новое обращение {appeal.number}" in russian.subject


def test_a_person_may_turn_the_email_off_on_their_page(client, people, submit):
    client.force_login(people["official"])
    response = client.post(reverse("dialogue:notifications"), {"daily_digest": "on"})
    assert response.status_code == 302
    assert not StaffNotificationPreference.objects.get(user=people["official"]).each_appeal
    submit(people["applicant"])
    mail.outbox.clear()
    run_worker()
    assert not staff_emails(people["official"]) and staff_emails(people["head"])


def test_only_body_staff_have_the_page(client, people):
    for role in ("applicant", "moderator", "monitor"):
        client.force_login(people[role])
        assert client.get(reverse("dialogue:notifications")).status_code == 403


def test_a_failing_mail_server_leaves_the_email_to_send_again(people, submit, settings):
    appeal = submit(people["applicant"])
    seq = appeal.events.get().seq
    settings.EMAIL_BACKEND = "tests.failing_email.Backend"
    with pytest.raises(ConnectionRefusedError):  # the task fails, so the queue tries it again with backoff
        staff_notifications.send_appeal_notices(appeal.pk, seq)
    assert not TaskMark.objects.filter(key__startswith="email:staff:").exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert staff_notifications.send_appeal_notices(appeal.pk, seq) == 2


@pytest.fixture
def due_appeals(people, submit, at):
    today = clock.today()
    with at(today - dt.timedelta(days=60)):
        overdue = submit(people["applicant"], subject="Left without an answer")
    start = today
    while calendar.add_working_days(start, 15) > calendar.add_working_days(today, 2):
        start -= dt.timedelta(days=1)
    with at(start):
        soon = submit(people["applicant"], subject="Due in two working days")
    fresh = submit(people["applicant"], subject="Registered today")
    return {"overdue": overdue, "soon": soon, "fresh": fresh}


def test_the_daily_digest_lists_overdue_and_soon_due_appeals_once_a_day(people, due_appeals):
    run_worker()
    mail.outbox.clear()
    call_command("send_staff_digests", stdout=io.StringIO())
    run_worker()
    (digest,) = [m for m in staff_emails(people["official"]) if "due soon and overdue" in m.subject]
    assert due_appeals["overdue"].number in digest.body and due_appeals["soon"].number in digest.body
    assert due_appeals["fresh"].number not in digest.body
    assert digest.body.index("Overdue") < digest.body.index(due_appeals["overdue"].number)
    mail.outbox.clear()
    call_command("send_staff_digests", stdout=io.StringIO())
    run_worker()
    assert not mail.outbox, "a second run the same day sends nothing"


def test_no_digest_for_who_turned_it_off_or_has_nothing_due(people, due_appeals, submit):
    services.set_staff_notifications(people["head"], each_appeal=True, daily_digest=False)
    run_worker()
    mail.outbox.clear()
    call_command("send_staff_digests", stdout=io.StringIO())
    run_worker()
    assert not staff_emails(people["head"]), "turned off"
    assert not staff_emails(people["other_official"]), "nothing due at that body"
    assert staff_emails(people["official"])


# --- the registration receipt -----------------------------------------------------------------------------------


def test_the_applicant_gets_a_receipt_page_and_pdf(client, people, submit):
    appeal = submit(people["applicant"])
    client.force_login(people["applicant"])
    assert (
        reverse("dialogue:receipt", args=[appeal.pk]) in client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
    )
    page = client.get(reverse("dialogue:receipt", args=[appeal.pk])).content.decode()
    for fact in (
        appeal.number,
        appeal.registered_at.astimezone(clock.now().tzinfo).strftime("%d.%m.%Y"),
        "Anti-Corruption",
        appeal.due_on.strftime("%d.%m.%Y"),
        appeal.events.get().hash,
    ):
        assert fact in page
    response = client.get(reverse("dialogue:receipt-pdf", args=[appeal.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = pikepdf.open(io.BytesIO(response.content))
    assert len(pdf.pages) == 1 and appeal.number in str(pdf.docinfo["/Title"])


def test_the_pdf_is_in_kazakh_for_a_kazakh_reader(client, people, submit):
    appeal = submit(people["applicant"])
    client.force_login(people["applicant"])
    client.cookies["django_language"] = "kk"
    response = client.get(reverse("dialogue:receipt-pdf", args=[appeal.pk]), HTTP_ACCEPT_LANGUAGE="kk")
    assert response.status_code == 200
    pdf = pikepdf.open(io.BytesIO(response.content))
    assert "Тіркеу" in str(pdf.docinfo["/Title"])


def test_nobody_else_reads_the_receipt(client, people, submit):
    appeal = submit(people["applicant"])
    for url in (reverse("dialogue:receipt", args=[appeal.pk]), reverse("dialogue:receipt-pdf", args=[appeal.pk])):
        assert client.get(url).status_code in (302, 404)
        client.force_login(people["other_applicant"])
        assert client.get(url).status_code == 404
        client.force_login(people["other_official"])
        assert client.get(url).status_code == 404
        client.force_login(people["official"])
        assert client.get(url).status_code == 200
        client.logout()


def test_a_missing_font_is_a_clear_503_not_a_500(client, people, submit, settings):
    settings.ASHYQ_PDF_FONT = "/nonexistent/font.ttf"
    appeal = submit(people["applicant"])
    client.force_login(people["applicant"])
    response = client.get(reverse("dialogue:receipt-pdf", args=[appeal.pk]))
    assert response.status_code == 503 and "receipt page has the same facts" in response.content.decode()
