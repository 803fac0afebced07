"""The placeholders redaction leaves in a public text ([NAME], [IIN], ...) read in the page's language: a Kazakh or
Russian page carries no English word in the middle of an appeal. Programs (the API) get the one stored token."""

import pytest
from django.urls import reverse

from ashyq.core import placeholders
from ashyq.moderation import redaction
from ashyq.moderation import services as moderation
from ashyq.moderation.models import Target

TEXT = "Прошу принять меры. Заявитель Сейткалиев Ерлан Маратович, ИИН 880101300123."


@pytest.fixture
def published(people, submit):
    appeal = submit(people["applicant"], subject="Свет во дворе", text=TEXT, is_public=True)
    moderation.approve(people["moderator"], appeal, target=Target.APPEAL)
    appeal.refresh_from_db()
    assert "[NAME]" in appeal.public_text and "[IIN]" in appeal.public_text  # the check is not empty
    return appeal


@pytest.mark.parametrize("lang, name, iin", [("ru", "[ФИО]", "[ИИН]"), ("kk", "[АТЫ-ЖӨНІ]", "[ЖСН]"), ("en", "[NAME]", "[IIN]")])
def test_public_pages_show_the_placeholders_in_the_page_s_language(client, published, lang, name, iin):
    for path in (reverse("dialogue:detail", args=[published.pk]), reverse("dialogue:public")):
        page = client.get(path, headers={"accept-language": lang}).content.decode()
        assert name in page and iin in page, (lang, path)
        if lang != "en":
            assert "[NAME]" not in page and "[IIN]" not in page, (lang, path)
    assert "880101300123" not in page and "Сейткалиев" not in page


def test_the_api_gives_the_stored_token(client, published):
    data = client.get(f"/api/v1/appeals/{published.pk}", headers={"accept-language": "ru"}).json()
    assert "[NAME]" in data["text"] and "[ФИО]" not in data["text"]


def test_every_placeholder_redaction_writes_has_a_wording():
    assert set(redaction.PLACEHOLDERS.values()) == set(placeholders.LABELS)


def test_text_without_placeholders_is_unchanged_and_brackets_of_the_writer_stay():
    assert placeholders.shown("Дом [5] на улице") == "Дом [5] на улице"
    assert placeholders.shown("") == ""
