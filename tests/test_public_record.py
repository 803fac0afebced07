"""The public record on the site: the list of published appeals with filters and search (Kazakh and
Russian, any case), each body's page of appeals and answers, the applicant shown by pseudonym or, if
they chose, by name, and the "show my name" choice on the appeal form."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ashyq.core import pagecache
from ashyq.dialogue import search, services
from ashyq.dialogue.models import Appeal
from tests.public_record_helpers import publish, publish_answer

MONDAY = dt.date(2026, 11, 2)


def page(client, **params):
    response = client.get(reverse("dialogue:public"), params)
    return response, response.content.decode()


@pytest.fixture
def record(people, submit, bodies, regions, at):
    """Published, private, awaiting and hidden appeals, across bodies, regions, types and statuses."""
    applicant = people["applicant"]
    with at(MONDAY):
        road = publish(
            submit(applicant, type="report", subject="orig road", text="orig road text", region=regions["KZ-75"]),
            "Жолдың жағдайы",
            "Біздің ауылдағы жолдың жағдайы өте нашар.",
        )
        school = publish(
            submit(
                applicant,
                body="general-prosecutors-office",
                type="complaint",
                subject="orig school",
                text="orig school text",
                region=regions["KZ-71"],
            ),
            "Школа без отопления",
            "В школе №5 зимой не работает ОТОПЛЕНИЕ, дети мёрзнут.",
        )
    with at(MONDAY + dt.timedelta(days=10)):
        services.answer_appeal(people["official"], road, text="original answer", outcome="resolved")
        answered = publish_answer(road, "Жол жөнделді.")
        late = publish(
            submit(people["other_applicant"], type="proposal", subject="orig park", text="orig park text"),
            "Парк для детей",
            "Предлагаю построить парк.",
        )
    private = submit(applicant, subject="private subject", text="private text")
    awaiting = submit(applicant, subject="awaiting subject", text="awaiting text", is_public=True)
    hidden = publish(submit(applicant, subject="hidden subject", text="hidden text"), "Hidden public subject", "hidden")
    Appeal.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    return {"road": answered, "school": school, "park": late, "private": private, "awaiting": awaiting, "hidden": hidden}


def numbers(html, record):
    return {name for name, a in record.items() if f"Appeal No. {a.number}<" in html}


def test_the_list_shows_published_appeals_newest_first_and_nothing_else(client, record):
    response, html = page(client)
    assert response.status_code == 200
    assert numbers(html, record) == {"road", "school", "park"}
    assert html.index(record["park"].number) < html.index(record["road"].number)  # newest first
    assert "Жолдың жағдайы" in html and "Жол жөнделді." in html  # public subject and published answer
    for original in ("orig road", "original answer", "private subject", "awaiting subject", "Hidden public subject"):
        assert original not in html


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"body": "general-prosecutors-office"}, {"school"}),
        ({"region": "KZ-71"}, {"school"}),
        ({"type": "proposal"}, {"park"}),
        ({"status": "answered"}, {"road"}),
        ({"outcome": "resolved"}, {"road"}),
        ({"registered_from": "2026-11-05"}, {"park"}),
        ({"registered_to": "2026-11-02"}, {"road", "school"}),
        ({"registered_from": "2026-11-02", "registered_to": "2026-11-02", "type": "report"}, {"road"}),
    ],
)
def test_filters(client, record, params, expected):
    response, html = page(client, **params)
    assert response.status_code == 200
    assert numbers(html, record) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("жол", {"road"}),  # Kazakh, the stem of an inflected word
        ("ЖОЛДЫҢ", {"road"}),  # Kazakh letters in upper case
        ("нашар жағдайы", {"road"}),  # every word must occur, in any order
        ("отопление", {"school"}),  # Russian, lower case finds upper case
        ("Школы", {"school"}),  # another form, mixed case
        ("жөнделді", {"road"}),  # the published answer is searched too
        ("парк детей", {"park"}),
        ("школа парк", set()),
        ("orig", set()),  # the original texts are not searched
        ("private", set()),
        ("hidden", set()),
        ('"; DROP TABLE x; -- * OR (', set()),  # syntax is not passed to the engine
    ],
)
def test_search_in_kazakh_and_russian_any_case(client, record, query, expected):
    response, html = page(client, q=query)
    assert response.status_code == 200
    assert numbers(html, record) == expected


def test_search_combines_with_filters_and_follows_a_new_public_text(client, record):
    _, html = page(client, q="парк", type="proposal")
    assert numbers(html, record) == {"park"}
    _, html = page(client, q="парк", type="report")
    assert numbers(html, record) == set()
    # Moderation edits the public copy: search follows.
    park = record["park"]
    park.public_text = "Предлагаю построить сквер."
    park.save(update_fields=["public_text"])
    assert numbers(page(client, q="парк")[1], record) == {"park"}  # still in the subject
    park.public_subject = "Сквер"
    park.save(update_fields=["public_subject"])
    assert numbers(page(client, q="парк")[1], record) == set()
    assert numbers(page(client, q="сквер")[1], record) == {"park"}


def test_bad_filters_are_a_400_with_the_form(client, record):
    response, html = page(client, registered_from="yesterday", type="nonsense")
    assert response.status_code == 400
    assert "Correct the filters above." in html
    response, _ = page(client, registered_from="2026-11-10", registered_to="2026-11-01")
    assert response.status_code == 400


def test_pages_go_by_previous_and_next_without_counting_the_whole_table(client, people, submit):
    appeals = [publish(submit(people["applicant"]), f"Тема {i}", "текст") for i in range(23)]
    with CaptureQueriesContext(connection) as queries:
        response, html = page(client)
    assert response.status_code == 200
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert len(queries.captured_queries) <= 8  # no query per row
    shown = [a for a in appeals if f"Appeal No. {a.number}<" in html]
    assert len(shown) == 20 and 'rel="next"' in html and 'rel="prev"' not in html
    _, html2 = page(client, page=2)
    assert len([a for a in appeals if f"Appeal No. {a.number}<" in html2]) == 3
    assert 'rel="prev"' in html2 and 'rel="next"' not in html2
    assert page(client, page="x")[0].status_code == 200 and page(client, page="99999")[0].status_code == 200


def test_the_applicant_appears_by_pseudonym_or_by_name_never_both(client, people, submit):
    citizen = people["applicant"]
    citizen.first_name, citizen.last_name = "Aigerim", "Nurlanova"
    citizen.save()
    anonymous = publish(submit(citizen), "Анонимно", "текст")
    _, html = page(client)
    assert citizen.pseudonym in html and "Nurlanova" not in html
    named = publish(submit(citizen), "С именем", "текст", show_name=True)
    Appeal.objects.filter(pk=anonymous.pk).update(hidden_at=timezone.now())
    pagecache.bump(pagecache.RECORD)  # a raw update announces nothing; the service's event would (core/pagecache.py)
    _, html = page(client)
    assert "Aigerim Nurlanova" in html and citizen.public_alias not in html
    assert named.number in html


def test_the_body_page_lists_its_published_answers_and_public_appeals(client, record, bodies, people, submit):
    url = reverse("body", args=["anti-corruption-agency"])
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert bodies["anti-corruption-agency"].name in html
    answers = html.split('id="body-answers"')[1].split("</ol>")[0]
    assert record["road"].number in answers and "Жол жөнделді." in answers and "original answer" not in answers
    appeals = html.split('id="body-appeals"')[1].split("</ol>")[0]
    assert record["park"].number in appeals and record["school"].number not in appeals
    assert record["private"].number not in html and record["hidden"].number not in html
    # An answer not yet published is not listed.
    services.answer_appeal(people["official"], record["park"], text="unpublished answer", outcome="explained")
    assert "unpublished answer" not in client.get(url).content.decode()
    assert client.get(reverse("body", args=["no-such-body"])).status_code == 404


def test_the_bodies_list_links_each_body_page_and_the_nav_links_the_public_list(client, reference):
    html = client.get(reverse("bodies")).content.decode()
    assert f'href="{reverse("body", args=["anti-corruption-agency"])}"' in html
    assert f'href="{reverse("dialogue:public")}"' in html
    assert f'href="{reverse("open-data")}"' in html


def test_the_appeal_form_offers_to_show_the_name_only_on_a_public_appeal(client, people, reference):
    client.force_login(people["applicant"])
    assert 'name="show_name"' in client.get(reverse("dialogue:new")).content.decode()
    form = {"body": "anti-corruption-agency", "type": "report", "subject": "S", "text": "T", "region": "KZ-75"}
    client.post(reverse("dialogue:new"), {**form, "is_public": "on", "show_name": "on"})
    client.post(reverse("dialogue:new"), {**form, "subject": "S2", "show_name": "on"})
    assert Appeal.objects.get(subject="S").show_name is True
    assert Appeal.objects.get(subject="S2").show_name is False  # a private appeal shows nobody's name


def test_the_search_structures_repair_themselves(db, reference, people, submit):
    appeal = publish(submit(people["applicant"]), "Су құбыры", "Су жоқ")
    assert search.ensure_structures() == []  # created by migrate already
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # as a migration rebuilding the table on SQLite would
            cursor.execute(f"DROP TRIGGER {search.FTS_TABLE}_au")
            cursor.execute("DROP INDEX appeal_public_recent")
        appeal.public_subject = "Жол"
        appeal.save(update_fields=["public_subject"])  # the document row changes while its trigger is missing
        assert set(search.ensure_structures()) == {f"{search.FTS_TABLE}_au", "appeal_public_recent"}
    else:
        appeal.public_subject = "Жол"
        appeal.save(update_fields=["public_subject"])
    assert list(search.search(Appeal.objects.all(), "жол").values_list("pk", flat=True)) == [appeal.pk]


@pytest.fixture
def matches(people, submit, at):
    """Five published appeals about roads, one a day: the oldest is by far the best match, the middle one the next best."""
    texts = [
        ("Жол жол жолы", "Жол, жол, жолдың жағдайы: жол жоқ."),
        ("Тема", "Жол туралы."),
        ("Тема", "Жол туралы."),
        ("Жолдың жөндеуі", "Жол жөнделмеді, жолда шұңқыр."),
        ("Тема", "Жол туралы."),
    ]
    made = []
    for day, (subject, text) in enumerate(texts):
        with at(MONDAY + dt.timedelta(days=day)):
            made.append(publish(submit(people["applicant"]), subject, text))
    return made


def test_search_ranks_only_a_window_of_the_newest_matches(client, matches, monkeypatch):
    best_old, older, old, good_recent, newest = matches
    public = Appeal.objects.filter(is_public=True)

    def found():
        return list(search.search(public, "жол").values_list("pk", flat=True))

    assert found()[0] == best_old.pk  # the window holds every match: the best comes first
    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    with CaptureQueriesContext(connection) as queries:
        ranked = found()
    # The three newest are ranked (the better one of them first), then the older ones, newest first.
    assert ranked == [good_recent.pk, newest.pk, old.pk, older.pk, best_old.pk]
    sql = queries.captured_queries[-1]["sql"]
    rank = "ts_rank(" if connection.vendor == "postgresql" else "bm25("
    assert sql.count(rank) == 1 and "CASE WHEN" in sql and "LIMIT 3)" in sql  # ranked only inside the window
    html = page(client, q="жол")[1]
    assert "Among the 3 newest matching appeals, the best matches come first; older matches follow, newest first." in html
    assert html.index(good_recent.number) < html.index(newest.number) < html.index(best_old.number)


def test_the_ordering_note_is_shown_only_for_a_search(client, matches):
    html = page(client)[1]
    assert 'id="search-ordering"' not in html
    assert 'id="search-ordering"' in page(client, q="жол")[1]


def test_an_answer_leaves_the_body_page_when_its_appeal_is_hidden(client, record):
    url = reverse("body", args=["anti-corruption-agency"])
    assert "Жол жөнделді." in client.get(url).content.decode()
    Appeal.objects.filter(pk=record["road"].pk).update(hidden_at=timezone.now())
    pagecache.bump(pagecache.RECORD)  # a raw update announces nothing; the service's event would (core/pagecache.py)
    html = client.get(url).content.decode()
    assert "Жол жөнделді." not in html and record["road"].number not in html
