"""What people do through the pages: sign up, write an appeal with files, work the inbox, monitor."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from ashyq.accounts.models import User
from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal, AppealEvent, Attachment

MONDAY = dt.date(2026, 11, 2)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


# A one-page PDF a real parser opens (attachments are parsed, and a file without a catalog is not a PDF).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def appeal_form(regions, **extra):
    data = {
        "body": "anti-corruption-agency",
        "type": "report",
        "subject": "Bribe at the land office",
        "text": "The clerk asked for money.",
        "region": "KZ-75",
    }
    data.update(extra)
    return data


def test_sign_up_confirms_email_then_signs_in(client, reference, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:signup"),
            {
                "username": "aliya",
                "email": "Aliya@Example.kz",
                "first_name": "Aliya",
                "last_name": "S",
                "language": "ru",
                "password1": "steppe-wind-2026",
                "password2": "steppe-wind-2026",
            },
        )
    assert response.status_code == 200
    user = User.objects.get(username="aliya")
    assert not user.is_active and user.email == "aliya@example.kz" and user.role == "applicant"
    assert not client.login(username="aliya", password="steppe-wind-2026")
    link = re.search(r"http://\S+/accounts/confirm/\S+/", mailoutbox[0].body).group(0)
    response = client.get(link.split("8000", 1)[1])
    assert response.status_code == 302
    assert client.login(username="aliya", password="steppe-wind-2026")


def test_a_tampered_confirmation_link_does_nothing(client, reference):
    response = client.get(reverse("accounts:confirm", args=["not-a-token"]))
    assert response.status_code == 400


def test_sign_up_with_a_registered_email_says_the_same_creates_nothing_and_tells_the_owner(
    client, people, mailoutbox, django_capture_on_commit_callbacks
):
    """Sign-up must not tell anyone which addresses have accounts: the page for a registered email is the page
    for a new one, and the address's owner learns of the attempt by email."""

    def sign_up(username, email):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse("accounts:signup"),
                {
                    "username": username,
                    "email": email,
                    "first_name": "A",
                    "last_name": "B",
                    "language": "kk",
                    "password1": "steppe-wind-2026",
                    "password2": "steppe-wind-2026",
                },
            )

    taken = sign_up("copy", people["applicant"].email.upper())
    assert taken.status_code == 200 and not User.objects.filter(username="copy").exists()
    assert [m.to for m in mailoutbox] == [[people["applicant"].email]]
    assert "tried to create a new Ashyq account" in mailoutbox[0].body and people["applicant"].username in mailoutbox[0].body
    fresh = sign_up("newcomer", "newcomer@example.kz")
    assert fresh.status_code == 200 and User.objects.filter(username="newcomer", is_active=False).exists()

    def strip(page, email):  # the email itself and the per-request CSRF token differ, nothing else may
        return re.sub(r'value="[A-Za-z0-9]{64}"', 'value="TOKEN"', page.decode().replace(email, "EMAIL"))

    assert strip(taken.content, people["applicant"].email) == strip(fresh.content, "newcomer@example.kz")


def test_writing_an_appeal_with_files_shows_number_and_due_date(client, people, regions):
    client.force_login(people["applicant"])
    files = [SimpleUploadedFile("photo.png", png_bytes(), "image/png"), SimpleUploadedFile("scan.pdf", PDF, "application/pdf")]
    response = client.post(reverse("dialogue:new"), {**appeal_form(regions), "attachments": files}, follow=True)
    appeal = Appeal.objects.get()
    page = response.content.decode()
    assert appeal.number in page and appeal.due_on.strftime("%d.%m.%Y") in page
    assert appeal.attachments.count() == 2
    stored = appeal.attachments.get(original_name="photo.png")
    assert stored.content_type == "image/png" and "photo" not in stored.file.name  # the stored name is ours


@pytest.mark.parametrize(
    "files, message",
    [
        ([("fake.pdf", b"MZ\x90\x00 this is an executable", "application/pdf")], "is not a PDF, JPEG or PNG"),
        ([("page.png", b"<html><script>alert(1)</script></html>", "image/png")], "is not a PDF, JPEG or PNG"),
        ([("cut.pdf", b"%PDF-1.4\nno end marker", "application/pdf")], "is not a PDF, JPEG or PNG"),
        ([(f"f{i}.pdf", PDF, "application/pdf") for i in range(6)], "At most 5 files"),
        ([("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF", "application/pdf")], "larger than 10 MB"),
    ],
)
def test_bad_attachments_are_refused_with_a_message_and_nothing_saved(client, people, regions, files, message):
    client.force_login(people["applicant"])
    uploads = [SimpleUploadedFile(name, data, ctype) for name, data, ctype in files]
    response = client.post(reverse("dialogue:new"), {**appeal_form(regions), "attachments": uploads})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Appeal.objects.exists() and not AppealEvent.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [("subject", ""), ("text", "x" * 10_001), ("body", "no-such-body"), ("region", "KZ-99"), ("type", "petition")],
)
def test_bad_fields_come_back_on_the_form(client, people, regions, field, value):
    client.force_login(people["applicant"])
    response = client.post(reverse("dialogue:new"), appeal_form(regions, **{field: value}))
    assert response.status_code == 400
    page = response.content.decode()
    # The message has an id, and the field points at it, so a screen reader reads it with the field.
    assert f'id="id_{field}_error"' in page
    assert re.search(rf'aria-describedby="id_{field}_error"[^>]*id="id_{field}"', page)
    assert not Appeal.objects.exists()


def test_inbox_shows_only_the_bodys_appeals_soonest_due_first(client, people, submit, at):
    with at(MONDAY):
        later = submit(people["applicant"], subject="Second")
    with at(MONDAY - dt.timedelta(days=7)):
        sooner = submit(people["applicant"], subject="First")
    with at(MONDAY):
        elsewhere = submit(people["applicant"], body="general-prosecutors-office", subject="Not for ACA")
    client.force_login(people["official"])
    with at(MONDAY):
        page = client.get(reverse("dialogue:inbox")).content.decode()
    assert page.index(sooner.number) < page.index(later.number)
    assert elsewhere.number not in page


def test_inbox_marks_overdue_and_soon_due(client, people, submit, at):
    with at(dt.date(2026, 8, 3)):
        very_overdue = submit(people["applicant"], subject="Forgotten")
    with at(dt.date(2026, 10, 20)):
        overdue = submit(people["applicant"], subject="Old one")  # due 11 November
    with at(dt.date(2026, 10, 28)):
        soon = submit(people["applicant"], subject="Due soon")
    client.force_login(people["official"])
    with at(dt.date(2026, 11, 16)):
        page = client.get(reverse("dialogue:inbox")).content.decode()
    assert re.search(rf'state-very_overdue">\s*<td[^>]*><a [^>]*>{very_overdue.number}', page)
    assert re.search(rf'state-overdue">\s*<td[^>]*><a [^>]*>{overdue.number}', page)
    assert re.search(rf'state-soon_due">\s*<td[^>]*><a [^>]*>{soon.number}', page)


def test_inbox_counts_open_overdue_and_due_soon_in_one_query(client, people, submit, at):
    with at(dt.date(2026, 8, 3)):
        submit(people["applicant"], subject="Forgotten")  # very overdue
    with at(dt.date(2026, 10, 20)):
        submit(people["applicant"], subject="Old one")  # due 11 November: overdue
    with at(dt.date(2026, 10, 28)):
        submit(people["applicant"], subject="Due soon")
    with at(dt.date(2026, 11, 16)):
        submit(people["applicant"], subject="Fresh")  # on time
        answered = submit(people["applicant"], subject="Answered")
        services.answer_appeal(people["official"], answered, text="Done.", outcome="resolved")
        submit(people["applicant"], body="general-prosecutors-office", subject="Not ours")
    client.force_login(people["official"])
    with at(dt.date(2026, 11, 16)), CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("dialogue:inbox")).content.decode()
    assert re.search(r'id="count-open">4<', page)
    assert re.search(r'id="count-overdue">2<', page)
    assert re.search(r'id="count-due-soon">1<', page)
    assert "Due today or within 3 working days" in page
    # The counts are one aggregate, and the pages reuse its total instead of counting again.
    assert sum("COUNT(" in q["sql"].upper() for q in queries.captured_queries) == 1
    with at(dt.date(2026, 11, 16)):  # the counts stay about open appeals when closed ones are listed too
        page = client.get(reverse("dialogue:inbox"), {"closed": "1"}).content.decode()
    assert re.search(r'id="count-open">4<', page) and answered.number in page


def test_inbox_pages_go_by_due_date_with_links_that_keep_the_filter(client, people, submit, at, monkeypatch):
    from ashyq.dialogue import views

    monkeypatch.setattr(views, "INBOX_PAGE_SIZE", 2)
    appeals = []
    for day in range(5):
        with at(MONDAY + dt.timedelta(days=day)):
            appeals.append(submit(people["applicant"], subject=f"Appeal {day}"))
    client.force_login(people["official"])

    def shown(html):
        return [a for a in appeals if f">{a.number}</a>" in html]

    with at(MONDAY + dt.timedelta(days=5)):
        first = client.get(reverse("dialogue:inbox")).content.decode()
        assert shown(first) == appeals[:2]  # the soonest due first
        assert 'rel="next" href="?page=2"' in first and 'rel="prev"' not in first
        assert 'aria-current="page">Page 1 of 3<' in first and 'aria-label="Pages"' in first
        last = client.get(reverse("dialogue:inbox"), {"page": "3"}).content.decode()
        assert shown(last) == appeals[4:] and 'rel="prev" href="?page=2"' in last and 'rel="next"' not in last
        # A page beyond the last shows the last; nonsense shows the first.
        assert shown(client.get(reverse("dialogue:inbox"), {"page": "99"}).content.decode()) == appeals[4:]
        assert shown(client.get(reverse("dialogue:inbox"), {"page": "x"}).content.decode()) == appeals[:2]
        services.answer_appeal(people["official"], appeals[0], text="Done.", outcome="resolved")
        assert shown(client.get(reverse("dialogue:inbox")).content.decode()) == appeals[1:3]
        with_closed = client.get(reverse("dialogue:inbox"), {"closed": "1"}).content.decode()
        assert shown(with_closed) == appeals[:2]
        assert 'rel="next" href="?closed=1&amp;page=2"' in with_closed


def test_inbox_with_closed_appeals_counts_pages_only_a_few_ahead(client, people, submit, at, monkeypatch):
    """A body's whole record is not counted on every page: past the pages counted ahead the page says "more than",
    and the next link still leads on until the last page, where the count is exact."""
    from ashyq.dialogue import views

    monkeypatch.setattr(views, "INBOX_PAGE_SIZE", 2)
    monkeypatch.setattr(views, "INBOX_CLOSED_PAGES_AHEAD", 1)
    appeals = []
    for day in range(7):
        with at(MONDAY + dt.timedelta(days=day)):
            appeals.append(submit(people["applicant"], subject=f"Appeal {day}"))
    with at(MONDAY + dt.timedelta(days=7)):
        services.answer_appeal(people["official"], appeals[0], text="Done.", outcome="resolved")
    client.force_login(people["official"])

    def page(number):
        return client.get(reverse("dialogue:inbox"), {"closed": "1", "page": number}).content.decode()

    with at(MONDAY + dt.timedelta(days=7)):
        first = page("1")  # 7 appeals, 4 pages of 2; counted: pages 1 and 2, and that there are more
        assert f">{appeals[0].number}</a>" in first and f">{appeals[1].number}</a>" in first
        assert 'aria-current="page">Page 1 of more than 2<' in first
        assert 'rel="next" href="?closed=1&amp;page=2"' in first
        second = page("2")
        assert 'aria-current="page">Page 2 of more than 3<' in second and 'rel="next" href="?closed=1&amp;page=3"' in second
        last = page("4")  # the count reaches the end: exact again
        assert 'aria-current="page">Page 4 of 4<' in last and 'rel="next"' not in last
        assert f">{appeals[6].number}</a>" in last
        assert 'aria-current="page">Page 4 of 4<' in page("99")  # beyond the last: the last


def test_monitor_sees_every_bodys_overdue_appeals(client, people, submit, at):
    with at(dt.date(2026, 9, 1)):
        acc = submit(people["applicant"])
        gpo = submit(people["applicant"], body="general-prosecutors-office")
    with at(dt.date(2026, 11, 2)):
        fresh = submit(people["applicant"])
        client.force_login(people["monitor"])
        page = client.get(reverse("dialogue:overdue")).content.decode()
    assert acc.number in page and gpo.number in page and fresh.number not in page
    client.force_login(people["official"])
    assert client.get(reverse("dialogue:overdue")).status_code == 403


def test_applicant_follows_every_step_on_the_appeal_page(client, people, bodies, submit, at):
    with at(MONDAY):
        appeal = submit(people["applicant"])
        services.redirect_appeal(people["official"], appeal, bodies["general-prosecutors-office"], "Prosecutors supervise this.")
        services.answer_appeal(
            people["other_official"], appeal, text="Measures taken: the permit was issued.", outcome="resolved"
        )
    client.force_login(people["applicant"])
    page = client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
    for expected in (
        "Prosecutors supervise this.",
        "Measures taken: the permit was issued.",
        'id="form-feedback"',
        "challenged in court",
    ):
        assert expected in page
    # The General Prosecutor's Office has no higher body in Ashyq: no complaint form is offered.
    assert 'id="form-complain"' not in page


def test_text_is_escaped_on_the_page(client, people, submit, at):
    with at(MONDAY):
        appeal = submit(people["applicant"], subject="<script>alert(1)</script>", text="<img src=x onerror=alert(1)>")
    client.force_login(people["applicant"])
    page = client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_attachments_are_private(client, people, regions):
    client.force_login(people["applicant"])
    client.post(
        reverse("dialogue:new"), {**appeal_form(regions), "attachments": [SimpleUploadedFile("p.png", png_bytes(), "image/png")]}
    )
    appeal = Appeal.objects.get()
    url = reverse("dialogue:attachment", args=[appeal.pk, appeal.attachments.get().pk])
    assert client.get(url).status_code == 200
    client.force_login(people["other_applicant"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_pages_carry_a_content_security_policy(client, reference):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_api_docs_load_nothing_from_third_parties_and_keep_the_policy(client, reference):
    response = client.get("/api/v1/docs")
    page = response.content.decode()
    assert response.status_code == 200 and "swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]


def _sign_up(client, **extra):
    data = {
        "username": "aliya",
        "email": "aliya@example.kz",
        "first_name": "Aliya",
        "last_name": "S",
        "language": "en",
        "password1": "steppe-wind-2026",
        "password2": "steppe-wind-2026",
    }
    data.update(extra)
    return client.post(reverse("accounts:signup"), data)


def test_sign_up_survives_a_mail_server_that_is_down_and_the_link_can_be_sent_again(
    client, reference, settings, mailoutbox, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.failing_email.Backend"
    with django_capture_on_commit_callbacks(execute=True):
        response = _sign_up(client)
    assert response.status_code == 200 and "Could not email the confirmation link" in caplog.text
    assert User.objects.filter(username="aliya", is_active=False).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(reverse("accounts:resend"), {"email": "Aliya@example.kz"})
    assert response.status_code == 200 and len(mailoutbox) == 1
    link = re.search(r"http://\S+/accounts/confirm/\S+/", mailoutbox[0].body).group(0)
    assert client.get(link.split("8000", 1)[1]).status_code == 302
    assert User.objects.get(username="aliya").is_active


def test_asking_for_a_new_link_reveals_nothing_about_accounts(client, people, mailoutbox):
    unknown = client.post(reverse("accounts:resend"), {"email": "nobody@example.kz"}).content.decode()
    active = client.post(reverse("accounts:resend"), {"email": people["applicant"].email}).content.decode()
    assert not mailoutbox  # no link for unknown or already confirmed accounts

    def strip(page, email):  # the email itself and the per-request CSRF token differ, nothing else may
        return re.sub(r'value="[A-Za-z0-9]{64}"', 'value="TOKEN"', page.replace(email, "EMAIL"))

    assert strip(unknown, "nobody@example.kz") == strip(active, people["applicant"].email)


def test_asking_for_new_links_is_rate_limited(client, reference):
    for _ in range(3):
        client.post(reverse("accounts:resend"), {"email": "spam@example.kz"})
    response = client.post(reverse("accounts:resend"), {"email": "spam@example.kz"})
    assert response.status_code == 429 and "Too many requests" in response.content.decode()
