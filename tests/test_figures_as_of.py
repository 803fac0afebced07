"""The pages of derived figures say what moment they count up to: the worker keeps the figures and their cached pages
are renewed at most once a minute, so a visitor is told how fresh they are rather than left to assume "now"."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone, translation

from ashyq.core import pagecache
from ashyq.core.tasks import oldest_pending_at

FIGURES_PAGES = [
    "/assessment/",
    "/assessment/bodies/anti-corruption-agency/",
    "/assessment/regions/",
    "/assessment/channels/",
    "/analysis/",
    "/analysis/compare/",
    "/analysis/bodies/anti-corruption-agency/",
]


def _as_of(page: str) -> tuple[dt.datetime, str]:
    match = re.search(r'<p class="help figures-as-of">(.*?)<time datetime="([^"]+)">([^<]+)</time>(.*?)</p>', page, re.S)
    assert match, "the page does not say what moment its figures count up to"
    return dt.datetime.fromisoformat(match.group(2)), match.group(1) + match.group(4)


@pytest.mark.parametrize("url", FIGURES_PAGES)
def test_every_page_of_figures_says_when_its_figures_were_counted(url, bodies, regions):
    before = timezone.now()
    response = Client().get(url)
    assert response.status_code == 200
    as_of, sentence = _as_of(response.content.decode())
    assert before <= as_of <= timezone.now()
    assert "within a few minutes" in sentence


def test_while_steps_wait_in_the_queue_the_page_counts_up_to_the_oldest_of_them(people, submit, run_queue, settings):
    settings.ASHYQ_FIGURES_PAGE_LAG_SECONDS = 0  # the page renews as soon as the figures change
    submit(people["applicant"])  # queues its figures, analysis and emails: nothing has run yet
    queued_at = oldest_pending_at()
    assert queued_at is not None and queued_at <= timezone.now()

    as_of, sentence = _as_of(Client().get("/assessment/").content.decode())
    assert as_of == queued_at
    assert "still being counted" in sentence

    run_queue()
    assert oldest_pending_at() is None
    pagecache.bump(pagecache.FIGURES)
    as_of, sentence = _as_of(Client().get("/assessment/").content.decode())
    assert as_of > queued_at and "within a few minutes" in sentence


def test_a_task_waiting_out_its_retry_does_not_hold_the_figures_back(people, submit):
    from django_tasks_db.models import DBTaskResult

    submit(people["applicant"])
    DBTaskResult.objects.update(run_after=timezone.now() + dt.timedelta(hours=1))  # each failed once, retried later
    assert oldest_pending_at() is None


@pytest.mark.parametrize(("language", "words"), [("ru", "Показатели на"), ("kk", "жағдайы бойынша")])
def test_the_sentence_is_in_the_visitors_language(language, words, bodies, regions):
    with translation.override(language):
        page = Client().get("/assessment/", HTTP_ACCEPT_LANGUAGE=language)
    assert words in page.content.decode()
