"""The lists of appeals (the official's inbox, open and with closed appeals, the overdue list, my appeals) write
their deadline marks in Python once per row (dialogue/marks.py) instead of a template included per row. Their
table must stay exactly what it was for everyone reading it, in each language: each page's table is compared,
character for character, with the table as the old templates wrote it (tests/data/appeal_table_before.html) for
the same appeals, in every deadline state (on time, due soon, due today, overdue, very overdue, closed). The appeal
page shows the same badges."""

import datetime as dt
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from ashyq.dialogue import deadlines, services

BEFORE = (Path(__file__).parent / "data" / "appeal_table_before.html").read_text(encoding="utf-8")
START, END = '<div class="table-scroll appeal-list-wrap">', "</table>\n</div>"
TODAY = dt.date(2026, 12, 1)


def table(html: str) -> str:
    return html[html.index(START) : html.index(END) + len(END)]


def table_before(appeals, language, **context):
    """The table of `appeals` (in the page's order) as the old templates wrote it."""
    rows = []
    for appeal in appeals:
        left = deadlines.working_days_left(appeal, TODAY) if appeal.is_open else None
        rows.append(
            {
                "appeal": appeal,
                "state": deadlines.deadline_state(appeal, TODAY),
                "days_left": left if left is not None and left >= 0 else None,
                "days_late": -left if left is not None and left < 0 else None,
            }
        )
    with translation.override(language):
        return table(engines["django"].from_string(BEFORE).render({"rows": rows, **context}))


@pytest.fixture
def appeals(people, submit, at):
    """The official's body's appeals registered over two months, one answered, one with an executor."""
    made = []
    for days_ago in range(0, 64, 3):
        with at(TODAY - dt.timedelta(days=days_ago)):
            made.append(submit(people["applicant"], subject=f"Appeal <{days_ago}> & co"))
    with at(TODAY - dt.timedelta(days=1)):
        services.answer_appeal(people["official"], made[5], text="Answered.", outcome="explained")
        services.assign_executor(people["head"], made[1], people["official"])
    with at(TODAY):
        states = {deadlines.deadline_state(a, TODAY) for a in made}
    assert {"on_time", "soon_due", "overdue", "very_overdue"} <= states  # every kind of mark is compared
    return made


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_each_list_of_appeals_is_the_same_table_as_before(client, people, appeals, at, language):
    pages = [
        (people["official"], reverse("dialogue:inbox"), {}, {"show_executor": True}, "Inbox"),
        (people["official"], reverse("dialogue:inbox"), {"closed": "1"}, {"show_executor": True}, "Inbox"),
        (people["monitor"], reverse("dialogue:overdue"), {}, {"show_body": True}, "Overdue appeals"),
        (people["applicant"], reverse("dialogue:mine"), {}, {"show_body": True}, "My appeals"),
    ]
    for user, url, params, flags, caption in pages:
        user.language = language
        user.save(update_fields=["language"])
        client.force_login(user)
        with at(TODAY):
            response = client.get(url, {**params, "language": language}, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200
            shown = [row["appeal"] for row in response.context["rows"]]
            assert shown, url
            with translation.override(language):
                caption = translation.gettext(caption)
            expected = table_before(shown, language, caption=caption, **flags)
        html = response.content.decode()
        assert table(html) == expected, (url, params)
        assert 'class="badge' in expected


def test_the_appeal_page_shows_the_same_badge(client, people, appeals, at):
    client.force_login(people["official"])
    with at(TODAY):
        for appeal in appeals:
            appeal.refresh_from_db()
            html = client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
            row = table_before([appeal], "en")
            badge = row[row.index('<td class="col-deadline"') :].split(">", 1)[1].split("\n")[0]
            status = html[html.index('id="appeal-status">') :].split("</dd>")[0]
            assert status == f'id="appeal-status">{appeal.get_status_display()} {badge}', appeal.pk
