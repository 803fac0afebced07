"""Limits on what people type are said, never applied silently: text past a limit is refused with a message and
nothing is cut; a field in error carries a visible mark besides its colour (and aria-invalid); a file input states
its size limit for the browser to check first (the server checks again, always)."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ashyq.dialogue import services
from ashyq.dialogue.models import Answer, Appeal

MONDAY = dt.date(2026, 11, 2)


def test_a_legal_ground_past_the_limit_is_refused_not_cut(people, submit, at):
    with at(MONDAY):
        appeal = submit(people["applicant"])
    ground = "Ст. 89 АППК. " + "х" * services.MAX_REASON_LENGTH
    with at(MONDAY + dt.timedelta(days=1)), pytest.raises(ValidationError) as refused:
        services.answer_appeal(people["official"], appeal, text="Отказано.", outcome="refused", legal_ground=ground)
    assert list(refused.value.message_dict) == ["legal_ground"]
    assert str(services.MAX_REASON_LENGTH) in refused.value.message_dict["legal_ground"][0]
    assert not Answer.objects.exists()
    # At the limit it is kept whole.
    with at(MONDAY + dt.timedelta(days=1)):
        answer = services.answer_appeal(
            people["official"], appeal, text="Отказано.", outcome="refused", legal_ground=ground[: services.MAX_REASON_LENGTH]
        )
    assert answer.legal_ground == ground[: services.MAX_REASON_LENGTH]


def test_a_subject_past_the_limit_comes_back_marked_with_everything_typed(client, people, regions, bodies):
    client.force_login(people["applicant"])
    subject = "Яма " * 60  # 240 characters: over the 200 a subject may have
    response = client.post(
        reverse("dialogue:new"),
        {"type": "complaint", "subject": subject, "text": "Во дворе яма.", "region": "KZ-75", "body": "anti-corruption-agency"},
    )
    assert response.status_code == 400 and not Appeal.objects.exists()  # the form again, with its errors
    page = response.content.decode()
    field = re.search(r'<div class="field has-error">(.*?)</div>\s*</div>', page, re.S)
    assert field and 'name="subject"' in field.group(1) and 'aria-invalid="true"' in field.group(1)
    assert "200" in field.group(1)  # the message names the limit
    assert subject.strip() in page  # what was typed comes back, whole, to be shortened


def test_file_inputs_state_the_server_s_limit(client, people, settings):
    settings.ASHYQ_MAX_ATTACHMENT_BYTES = 12345
    client.force_login(people["applicant"])
    page = client.get(reverse("dialogue:new")).content.decode()
    assert re.search(r'<input[^>]*type="file"[^>]*data-max-bytes="12345"', page) or re.search(
        r'<input[^>]*data-max-bytes="12345"[^>]*type="file"', page
    )
    assert "data-too-large=" in page and "ashyq/site.js" in page
