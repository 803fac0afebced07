"""The search table holds published appeals only, on both databases: an appeal hidden after reports leaves it in
the transaction that hides it and comes back when a moderator restores it; one not yet approved (or not public)
never enters it. A search of words alone takes its page from that table (search.page_ids on PostgreSQL), and gives
the same appeals in the same order as the search over the appeals table with its visibility rules, page by page,
for the labelled Kazakh and Russian queries (word forms, Latin script, phrases), inside and past the ranked window.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ashyq.dialogue import public_views, search, selectors, services
from ashyq.dialogue.models import Appeal, SearchDocument
from ashyq.moderation import services as moderation
from tests.public_record_helpers import publish, publish_answer
from tests.test_search_wordforms import MONDAY, rows

DETAIL = re.compile(r'<li class="public-appeal">\s*<h3><a href="[^"]*/appeals/(\d+)/"')


def listed(client, **params):
    """The appeals on one page of the public list, in order (ids), and whether it offers a next page."""
    response = client.get(reverse("dialogue:public"), params)
    assert response.status_code == 200
    html = response.content.decode()
    return [int(pk) for pk in DETAIL.findall(html)], 'rel="next"' in html


def found(query):
    return list(search.search(selectors.public_appeals(), query).values_list("pk", flat=True))


def test_a_hidden_appeal_leaves_the_search_with_its_hiding_and_returns_when_restored(client, people, submit, settings):
    settings.ASHYQ_REPORTS_TO_HIDE = 2
    appeal = publish(submit(people["applicant"]), "Жолдың жағдайы", "Ауылдағы жол нашар.")
    other = publish(submit(people["applicant"]), "Жол жөндеу", "Жол жөнделмеді.")
    assert SearchDocument.objects.filter(appeal=appeal).exists()
    assert set(listed(client, q="жол")[0]) == {appeal.pk, other.pk}
    for i in range(2):  # the second report hides it, in the same transaction as its search row goes
        moderation.report_abuse(None, f"10.2.0.{i}", appeal, target="appeal", reason="spam")
    appeal.refresh_from_db()
    assert appeal.hidden_at is not None
    assert not SearchDocument.objects.filter(appeal=appeal).exists()
    assert listed(client, q="жол")[0] == [other.pk] and found("жол") == [other.pk]
    assert listed(client, q="ауылдағы")[0] == [] and found('"ауылдағы жол"') == []
    moderation.restore(people["moderator"], appeal, note="No abuse found.")
    assert SearchDocument.objects.get(appeal=appeal).registered_at == appeal.registered_at
    assert set(listed(client, q="жол")[0]) == {appeal.pk, other.pk}
    assert listed(client, q='"ауылдағы жол"')[0] == [appeal.pk]


def test_an_appeal_not_approved_or_not_public_is_never_in_the_search(client, people, submit):
    awaiting = submit(people["applicant"], is_public=True, subject="Су жоқ", text="Ауылда су жоқ.")
    # Public copies written, not yet approved (published_at empty): no search row.
    Appeal.objects.filter(pk=awaiting.pk).update(public_subject="Су жоқ", public_text="Ауылда су жоқ.")
    search.index_appeal(awaiting)
    private = publish(submit(people["applicant"]), "Су құбыры", "Су құбыры бұзылды.")
    private.is_public = False  # as if the applicant had taken the consent back
    private.save(update_fields=["is_public", "updated_at"])
    assert not SearchDocument.objects.filter(appeal__in=[awaiting, private]).exists()
    assert listed(client, q="су")[0] == [] and found("су") == []
    # The rebuild writes rows for published appeals only, too.
    search.rebuild()
    assert not SearchDocument.objects.exists()


def test_an_answer_published_later_keeps_the_row_of_a_published_appeal_only(people, submit):
    appeal = publish(submit(people["applicant"]), "Тема", "Жалоба")
    Appeal.objects.filter(pk=appeal.pk).update(hidden_at=timezone.now())  # behind the models' back
    services.answer_appeal(people["official"], appeal, text="x", outcome="explained")
    publish_answer(appeal, "Субсидия назначена.")  # indexes the appeal again: it is hidden, so its row goes
    assert not SearchDocument.objects.filter(appeal=appeal).exists() and found("субсидия") == []


@pytest.fixture
def corpus(people, submit, at):
    """The labelled corpus (tests/data/search_corpus.csv), published two a day, with the answers."""
    for day, row in enumerate(rows("search_corpus.csv")):
        with at(MONDAY + dt.timedelta(days=day // 2)):
            appeal = publish(submit(people["applicant"], subject="original", text="original"), row["subject"], row["text"])
            if row["answer"]:
                services.answer_appeal(people["official"], appeal, text="original answer", outcome="explained")
                publish_answer(appeal, row["answer"])
    # One hidden after publication through a raw update (no search row change): the page still leaves it out.
    Appeal.objects.filter(pk=appeal.pk).update(hidden_at=timezone.now())


QUERIES = [q["query"] for q in rows("search_queries.csv")] + ['"ауыз су"', "жол мектеп", "Жол", "JOL", "дорога"]


def test_each_page_of_a_search_is_that_of_the_search_over_the_appeals(client, corpus, monkeypatch):
    # Small pages and a small ranked window, so that pages fall inside it, across its edge and past it.
    monkeypatch.setattr(public_views, "PAGE_SIZE", 2)
    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    compared = 0
    for query in QUERIES:
        expected = found(query)
        got, number, more = [], 1, True
        while more:
            page, more = listed(client, q=query, page=number)
            got += page
            number += 1
        assert got == expected, query
        compared += len(expected)
    assert compared > 100  # the queries find something: the comparison is not of empty lists
    search.rebuild()  # the row of the appeal hidden behind the models' back goes
    for query in QUERIES:
        expected = found(query)
        if connection.vendor == "postgresql":  # the shortcut itself, at every offset
            for offset in range(len(expected) + 1):
                assert search.page_ids(query, offset, 3) == expected[offset : offset + 3], (query, offset)
        else:
            assert search.page_ids(query, 0, 3) is None  # SQLite pages the search over the appeals


def test_a_search_with_other_filters_still_applies_them(client, corpus, bodies):
    everything = found("жол")
    in_body = list(
        search.search(selectors.public_appeals().filter(body=bodies["general-prosecutors-office"]), "жол").values_list(
            "pk", flat=True
        )
    )
    assert set(in_body) < set(everything)
    assert listed(client, q="жол", body="general-prosecutors-office")[0] == in_body[: public_views.PAGE_SIZE]
