"""The pages that tell people what to expect quote the terms of the Regulation in force (dialogue/templatetags/
regulation.py): when a new version comes into force, the home page and the appeal form say its terms, in every
language, and no page keeps the old figures."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from ashyq.dialogue.models import Regulation

BEFORE, AFTER = dt.date(2026, 11, 30), dt.date(2026, 12, 2)


def _terms_paragraph(client, url, lang="en"):
    client.cookies["django_language"] = lang
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert page.status_code == 200
    match = re.search(r'<p[^>]*id="terms"[^>]*>(.*?)</p>', page.content.decode(), re.S)
    assert match, f"{url} has no paragraph of terms"
    return html.unescape(" ".join(match.group(1).split()))


@pytest.fixture
def applicant_client(client, people):
    client.force_login(people["applicant"])
    return client


PAGES = ("home", "dialogue:new")


@pytest.mark.parametrize("name", PAGES)
def test_the_page_quotes_the_terms_of_the_regulation_in_force(applicant_client, at, name):
    with at(BEFORE):
        text = _terms_paragraph(applicant_client, reverse(name))
    assert "within 15 working days" in text and "within 3 working days" in text

    Regulation.objects.create(
        version=2, title="Amended code", effective_from=dt.date(2026, 12, 1), answer_working_days=21, redirect_working_days=1
    )
    with at(BEFORE):  # not yet in force: the page still quotes the first version
        assert "within 15 working days" in _terms_paragraph(applicant_client, reverse(name))
    with at(AFTER):
        text = _terms_paragraph(applicant_client, reverse(name))
        russian = _terms_paragraph(applicant_client, reverse(name), "ru")
        kazakh = _terms_paragraph(applicant_client, reverse(name), "kk")
    assert "within 21 working days" in text and "within 1 working day" in text
    assert "15" not in text and "3 working" not in text
    # Russian needs the genitive singular after 21 and 1 ("рабочего дня"), not the "15 рабочих дней" of old.
    assert "в течение 21 рабочего дня" in russian and "в течение 1 рабочего дня" in russian
    assert "21 жұмыс күні ішінде" in kazakh and "1 жұмыс күні ішінде" in kazakh
    assert "15" not in russian + kazakh
