"""Open Legal Acts pages, downloads, feed, API and Akoma Ntoso export, as the people who use them."""

import csv
import datetime as dt
import io

import pytest
from lxml import etree

from ashyq.legalacts import akn, services
from ashyq.legalacts.models import Decision

from .conftest import PASSWORD
from .legalacts_helpers import publish, rule  # noqa: F401

OPEN_DAY = dt.date(2026, 3, 16)


@pytest.fixture
def discussion(people, rule, at):
    """An open draft with one published comment on a sub-point and one awaiting moderation."""
    with at(OPEN_DAY):
        process = publish(people["official"], opens_on=OPEN_DAY, closes_on=dt.date(2026, 3, 30))
        published = services.comment(
            people["applicant"],
            process,
            provision_eid="chp_1__para_2__point_1",
            text="Срок <script>alert(1)</script> слишком долгий, звоните +7 701 123 45 67",
        )
        services.moderate(people["moderator"], published, "publish")
        pending = services.comment(
            people["other_applicant"], process, provision_eid="chp_1__para_1", text="Ожидает модерации qz9"
        )
    return process, published, pending


def _client(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_lists_show_days_left_and_filter(client, discussion, at, bodies):
    process, *_ = discussion
    with at(dt.date(2026, 3, 20)):
        page = client.get("/legal-acts/?when=open").content.decode()
        assert process.title_en in page and "10 days left" in page
        assert process.title_en not in client.get("/legal-acts/?when=past").content.decode()
        other = bodies["general-prosecutors-office"].slug
        assert process.title_en not in client.get(f"/legal-acts/?when=open&body={other}").content.decode()
        assert client.get("/legal-acts/?when=open&act_type=nonsense").status_code == 400


def test_process_page_public_sees_moderated_copy_only(client, discussion, at):
    process, published, pending = discussion
    with at(dt.date(2026, 3, 20)):
        html = client.get(f"/legal-acts/processes/{process.pk}/").content.decode()
    assert "chp_1__para_2__point_1" in html and "Срок" in html
    assert "<script>alert(1)" not in html
    assert "701 123 45 67" not in html
    assert "qz9" not in html  # awaiting moderation
    assert published.author.pseudonym in html and published.author.username not in html


def test_choose_a_point_then_comment_without_script(client, discussion, people, at):
    process, *_ = discussion
    _client(client, people["other_applicant"])
    with at(dt.date(2026, 3, 20)):
        html = client.get(f"/legal-acts/processes/{process.pk}/?point=chp_2__para_3").content.decode()
        assert 'name="provision" value="chp_2__para_3"' in html
        bad = client.post(
            f"/legal-acts/processes/{process.pk}/comment", {"provision": "chp_2__para_3", "text": "Куда?", "quote": "нет такого"}
        )
        assert bad.status_code == 400 and "Куда?" in bad.content.decode()  # the words typed are kept
        ok = client.post(
            f"/legal-acts/processes/{process.pk}/comment",
            {"provision": "chp_2__para_3", "text": "Куда?", "quote": "уполномоченный орган"},
        )
    assert ok.status_code == 302 and "point=chp_2__para_3" in ok["Location"]
    assert process.comments.filter(provision_eid="chp_2__para_3", quote="уполномоченный орган").exists()


def test_anonymous_cannot_comment_and_closed_refuses(client, discussion, people, at):
    process, *_ = discussion
    response = client.post(f"/legal-acts/processes/{process.pk}/comment", {"text": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    _client(client, people["other_applicant"])
    with at(dt.date(2026, 3, 31)):
        response = client.post(f"/legal-acts/processes/{process.pk}/comment", {"text": "поздно"})
    assert response.status_code == 400 and "only while the discussion is open" in response.content.decode()


def test_manage_page_is_the_developers_only(client, discussion, people):
    process, *_ = discussion
    for role in ("applicant", "other_official", "moderator"):
        client.logout()
        _client(client, people[role])
        assert client.get(f"/legal-acts/processes/{process.pk}/manage/").status_code == 403
    client.logout()
    _client(client, people["official"])
    html = client.get(f"/legal-acts/processes/{process.pk}/manage/").content.decode()
    assert "Ожидает модерации qz9" in html  # the developer reads the original


def test_report_page_and_downloads(client, discussion, people, at):
    process, published, pending = discussion
    assert client.get(f"/legal-acts/processes/{process.pk}/report.csv").status_code == 404
    with at(dt.date(2026, 3, 31)):
        services.moderate(people["moderator"], pending, "refuse")
        _client(client, people["official"])
        bad = client.post(f"/legal-acts/comments/{published.pk}/decide", {"decision": "partly", "reason": ""})
        assert bad.status_code == 400
        client.post(
            f"/legal-acts/comments/{published.pk}/decide", {"decision": "partly", "reason": "=Срок сокращён до трёх дней"}
        )
        response = client.post(
            f"/legal-acts/processes/{process.pk}/manage/report", {"summary": "Итоги обсуждения", "confirmed": "yes"}
        )
        assert response.status_code == 302
    client.logout()
    html = client.get(f"/legal-acts/processes/{process.pk}/report/").content.decode()
    assert "Срок сокращён" in html and "partly accepted" in html
    rows = list(csv.DictReader(io.StringIO(client.get(f"/legal-acts/processes/{process.pk}/report.csv").content.decode())))
    assert [(r["provision"], r["decision"], r["reason"]) for r in rows] == [
        ("chp_1__para_2__point_1", "partly", "'=Срок сокращён до трёх дней")
    ]
    data = client.get(f"/legal-acts/processes/{process.pk}/report.json").json()
    assert data["comments"][0]["reason"] == "=Срок сокращён до трёх дней" and "qz9" not in str(data)


def test_overdue_report_shown_in_red_on_body_page_and_dashboard(client, discussion, people, at):
    process, *_ = discussion
    with at(dt.date(2026, 4, 14)):
        html = client.get(f"/bodies/{process.body.slug}/").content.decode()
        assert 'class="overdue"' in html and process.title_en in html
        _client(client, people["monitor"])
        html = client.get("/assessment/monitor/").content.decode()
        assert "report overdue since 13.04.2026" in html
    with at(dt.date(2026, 4, 13)):
        assert "report overdue since" not in client.get("/assessment/monitor/").content.decode()


def test_diff_between_versions(client, discussion, people, at):
    process, *_ = discussion
    from .legalacts_helpers import DRAFT_KK, DRAFT_RU

    with at(dt.date(2026, 3, 20)):
        services.new_version(
            people["official"],
            process,
            text_kk=DRAFT_KK + "\n4. Жаңа тармақ.\n",
            text_ru=DRAFT_RU.replace("пять", "три") + "\n4. Новый пункт.\n",
            note="Срок сокращён",
        )
    html = client.get(f"/legal-acts/processes/{process.pk}/diff/?from=1&to=2", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "<del>" in html and "пять" in html and "<ins>" in html and "три" in html
    assert "chp_2__para_4" in html
    assert client.get(f"/legal-acts/processes/{process.pk}/diff/?from=1&to=9").status_code == 400


def test_akoma_ntoso_export_validates_against_the_schema(client, discussion):
    process, *_ = discussion
    for lang in ("kk", "ru"):
        response = client.get(f"/api/v1/legal-acts/processes/{process.pk}/akn.xml?lang={lang}")
        assert response.status_code == 200
        root = etree.fromstring(response.content)
        assert akn.validate(root) == []
        ids = root.xpath("//akn:*/@eId", namespaces={"akn": akn.NS})
        assert "chp_1__para_2__point_1" in ids
    broken = etree.fromstring(client.get(f"/api/v1/legal-acts/processes/{process.pk}/akn.xml").content)
    broken.find(f".//{{{akn.NS}}}body").append(etree.Element(f"{{{akn.NS}}}nonsense"))
    assert akn.validate(broken)  # the validator does reject a wrong document


def test_api_lists_processes_provisions_and_public_comments(client, discussion, at):
    process, published, pending = discussion
    with at(dt.date(2026, 3, 20)):
        listed = client.get("/api/v1/legal-acts/processes?when=open").json()
    assert [p["id"] for p in listed] == [process.pk] and listed[0]["days_left"] == 10
    provisions = client.get(f"/api/v1/legal-acts/processes/{process.pk}/versions/1/provisions").json()
    assert provisions[4]["eid"] == "chp_1__para_2__point_1"
    comments = client.get(f"/api/v1/legal-acts/processes/{process.pk}/comments").json()
    assert [c["id"] for c in comments] == [published.pk] and comments[0]["decision"] is None
    assert "701 123" not in str(comments)
    assert client.get(f"/api/v1/legal-acts/processes/{process.pk}/report").status_code == 404
    assert "/legal-acts/processes" in str(client.get("/api/v1/openapi.json").json()["paths"])


def test_atom_feed_and_sitemap(client, discussion):
    process, *_ = discussion
    feed = client.get(f"/legal-acts/bodies/{process.body.slug}/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert f"/legal-acts/processes/{process.pk}/" in feed.content.decode()
    assert f"/legal-acts/processes/{process.pk}/</loc>" in client.get("/data/sitemap.xml").content.decode()


def test_publish_from_docx_through_the_page(client, people, rule, at):
    from docx import Document

    def docx(lines):
        document = Document()
        for style, text in lines:
            document.add_paragraph(text, style=style)
        out = io.BytesIO()
        document.save(out)
        out.seek(0)
        out.name = "draft.docx"
        return out

    _client(client, people["official"])
    with at(OPEN_DAY):
        form = {
            "act_type": "order",
            "title_kk": "Бұйрық жобасы",
            "title_ru": "Проект приказа",
            "opens_on": "2026-03-16",
            "closes_on": "2026-03-20",
            "source_kk": docx([("Heading 3", "1-тарау. Жалпы"), (None, "1. Бірінші.")]),
            "source_ru": docx([("Heading 3", "Глава 1. Общие"), (None, "1. Первый.")]),
        }
        short = client.post("/legal-acts/new/", form)
        assert short.status_code == 400 and "no earlier than 2026-03-26" in short.content.decode()
        form.update(
            closes_on="2026-03-26",
            source_kk=docx([("Heading 3", "1-тарау. Жалпы"), (None, "1. Бірінші.")]),
            source_ru=docx([("Heading 3", "Глава 1. Общие"), (None, "1. Первый.")]),
        )
        response = client.post("/legal-acts/new/", form)
    assert response.status_code == 302
    process = people["official"].body.legal_processes.get()
    assert process.versions.get().source_format == "docx"
    assert list(process.versions.get().provisions.values_list("eid", flat=True)) == ["chp_1", "chp_1__para_1"]
    client.logout()
    _client(client, people["applicant"])
    assert client.get("/legal-acts/new/").status_code == 403


def test_moderation_queue_for_moderators(client, discussion, people):
    process, published, pending = discussion
    _client(client, people["applicant"])
    assert client.get("/legal-acts/moderation/").status_code == 403
    client.logout()
    _client(client, people["moderator"])
    html = client.get("/legal-acts/moderation/").content.decode()
    assert "qz9" in html
    client.post(
        f"/legal-acts/comments/{pending.pk}/publish", {"public_text": "Ожидает модерации (исправлено)", "confirmed": "yes"}
    )
    pending.refresh_from_db()
    assert pending.status == "published" and pending.public_text == "Ожидает модерации (исправлено)"


def test_adopted_act_page_side_by_side(client, discussion, people, at):
    process, published, pending = discussion
    with at(dt.date(2026, 3, 31)):
        services.moderate(people["moderator"], pending, "refuse")
        services.decide(people["official"], published, Decision.ACCEPTED, "Учтено")
        services.publish_report(people["official"], process)
        act = services.adopt(people["official"], process, number="42", adopted_on=dt.date(2026, 3, 31))
    html = client.get(f"/legal-acts/acts/{act.code}/").content.decode()
    assert "Қызмет тегін көрсетіледі" in html and "Услуга оказывается бесплатно" in html
    assert act.code in client.get("/legal-acts/acts/").content.decode()
    assert akn.validate(etree.fromstring(client.get(f"/api/v1/legal-acts/acts/{act.code}/akn.xml?lang=kk").content)) == []
