"""Who may do what with an appeal: every role x action cell, through the pages and through the API.

The expected outcome of each cell is written out below, once, and both channels must agree with it.
Each cell gets its own fresh appeal, in the state the action needs (open, or answered for feedback and
complaints), currently at the Anti-Corruption Agency ("ACA"; the `official` and `head` work there,
the `other_official` and `other_head` at the General Prosecutor's Office).

Deny means: the request is refused (API: 401 without a token, else 403 or 404; pages: anonymous users
are sent to the login page, others get 403 or 404) and nothing about the appeal changed.
Allow means: the step happened, i.e. its event is on the appeal's record.

The pages' `can` (core/permissions.py) must say the same: on the appeal page, `can.<step>` and the step's form for
each cell; on every page, the site-wide rules (SITE below) and the links offered with them (base.html's navigation,
the verification page), which lead to pages that serve exactly the people the link is offered to.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from ashyq.core import calendar
from ashyq.core import permissions as site_permissions
from ashyq.dialogue import services
from ashyq.dialogue.actions import ACTIONS
from ashyq.dialogue.models import Answer, Appeal, Feedback

A, D = "allow", "deny"

ROLES = (
    "anonymous",
    "owner",
    "other_applicant",
    "official",
    "head",
    "other_official",
    "other_head",
    "moderator",
    "monitor",
    "admin",
)

# The rules, cell by cell. "view" is GET of the appeal (page /appeals/<pk>/; API /appeals/{id} and /events).
MATRIX = {
    "view": {
        "anonymous": D,
        "owner": A,
        "other_applicant": D,
        "official": A,
        "head": A,
        "other_official": D,
        "other_head": D,
        "moderator": D,
        "monitor": A,
        "admin": A,
    },
    "assign": {
        "anonymous": D,
        "owner": D,
        "other_applicant": D,
        "official": A,
        "head": A,
        "other_official": D,
        "other_head": D,
        "moderator": D,
        "monitor": D,
        "admin": D,
    },
    "redirect": {
        "anonymous": D,
        "owner": D,
        "other_applicant": D,
        "official": A,
        "head": A,
        "other_official": D,
        "other_head": D,
        "moderator": D,
        "monitor": D,
        "admin": D,
    },
    "extend": {
        "anonymous": D,
        "owner": D,
        "other_applicant": D,
        "official": D,
        "head": A,
        "other_official": D,
        "other_head": D,
        "moderator": D,
        "monitor": D,
        "admin": D,
    },
    "answer": {
        "anonymous": D,
        "owner": D,
        "other_applicant": D,
        "official": A,
        "head": A,
        "other_official": D,
        "other_head": D,
        "moderator": D,
        "monitor": D,
        "admin": D,
    },
    "feedback": {
        "anonymous": D,
        "owner": A,
        "other_applicant": D,
        "official": D,
        "head": D,
        "other_official": D,
        "other_head": D,
        "moderator": D,
        "monitor": D,
        "admin": D,
    },
    "withdraw": {
        "anonymous": D,
        "owner": A,
        "other_applicant": D,
        "official": D,
        "head": D,
        "other_official": D,
        "other_head": D,
        "moderator": D,
        "monitor": D,
        "admin": D,
    },
    "complain": {
        "anonymous": D,
        "owner": A,
        "other_applicant": D,
        "official": D,
        "head": D,
        "other_official": D,
        "other_head": D,
        "moderator": D,
        "monitor": D,
        "admin": D,
    },
}

# List pages: is this (open, overdue) appeal listed for the role, listed-not (page shown, appeal absent),
# or is the page itself refused?
LISTED, ABSENT = "listed", "absent"
LIST_PAGES = {
    "dialogue:inbox": {
        "anonymous": D,
        "owner": D,
        "other_applicant": D,
        "official": LISTED,
        "head": LISTED,
        "other_official": ABSENT,
        "other_head": ABSENT,
        "moderator": D,
        "monitor": D,
        "admin": D,
    },
    "dialogue:overdue": {
        "anonymous": D,
        "owner": D,
        "other_applicant": D,
        "official": D,
        "head": D,
        "other_official": D,
        "other_head": D,
        "moderator": D,
        "monitor": LISTED,
        "admin": LISTED,
    },
    "dialogue:mine": {
        "anonymous": D,
        "owner": LISTED,
        "other_applicant": ABSENT,
        "official": ABSENT,
        "head": ABSENT,
        "other_official": ABSENT,
        "other_head": ABSENT,
        "moderator": ABSENT,
        "monitor": ABSENT,
        "admin": ABSENT,
    },
}

# The steps come from the one table of actions (dialogue/actions.py), which generates the page's forms and the
# API's operations; each allowed step appends its event to the appeal's record.
EVENT_OF = {name: action.event for name, action in ACTIONS.items()}

TODAY = dt.date(2026, 11, 2)  # a Monday; every cell registers its appeal and acts on it this day
LONG_AGO = dt.date(2026, 9, 1)  # an appeal registered then is overdue by TODAY


def test_the_matrix_covers_every_role_and_action():
    assert set(MATRIX) == set(EVENT_OF) | {"view"}
    for table in (*MATRIX.values(), *LIST_PAGES.values()):
        assert tuple(table) == ROLES


def _cells():
    for action, row in MATRIX.items():
        for channel in ("page", "api"):
            for role in ROLES:
                yield pytest.param(channel, action, role, row[role], id=f"{channel}-{action}-{role}-{row[role]}")


def _user(people, role):
    if role == "anonymous":
        return None
    return people["applicant" if role == "owner" else role]


def _snapshot(appeal):
    appeal = Appeal.objects.get(pk=appeal.pk)
    return {
        "status": appeal.status,
        "body": appeal.body_id,
        "due_on": appeal.due_on,
        "received_on": appeal.received_on,
        "executor": appeal.executor_id,
        "events": appeal.events.count(),
        "appeals": Appeal.objects.count(),
        "answers": Answer.objects.count(),
        "feedback": Feedback.objects.count(),
    }


def _appeal_for(action, people, submit, at):
    """A fresh appeal at the ACA in the state `action` needs."""
    with at(LONG_AGO if action == "view" else TODAY):
        appeal = submit(people["applicant"])
    if action in ("feedback", "complain"):
        with at(TODAY):
            services.answer_appeal(people["official"], appeal, text="We checked: no permit fee is due.", outcome="explained")
    return Appeal.objects.get(pk=appeal.pk)


def _valid_data(action, appeal, people, channel):
    extended_until = calendar.add_working_days(appeal.due_on, 5)
    return {
        "assign": {"executor": people["official"].pk},
        "redirect": {"to_body": "ministry-of-internal-affairs", "reason": "The police are competent for this."},
        "extend": {"until": extended_until.isoformat(), "reason": "An inspection of the land office is needed."},
        "answer": {"outcome": "resolved", "text": "The permit was issued; the clerk is under investigation."},
        "feedback": {"resolution" if channel == "page" else "resolved": "partly", "rating": 4, "comment": "Slow but fair."},
        "withdraw": {"reason": "Solved on my own."},
        "complain": {"text": "The answer ignores my question about the fee."},
    }.get(action, {})


def _page_request(client, action, appeal, data):
    if action == "view":
        return client.get(reverse("dialogue:detail", args=[appeal.pk]))
    # The page asks to confirm a step that cannot be undone (a second page): the matrix posts the confirmed step.
    # The page's fields are named by step (the appeal page's steps are one form).
    fields = {f"{action}-{name}": value for name, value in data.items()}
    return client.post(reverse("dialogue:action", args=[appeal.pk, action]), {**fields, "confirmed": "yes"})


def _api_request(client, action, appeal, data, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if action == "view":
        one = client.get(f"/api/v1/appeals/{appeal.pk}", headers=headers)
        events = client.get(f"/api/v1/appeals/{appeal.pk}/events", headers=headers)
        assert one.status_code == events.status_code, "the appeal and its record must be equally visible"
        return one, events
    return client.post(f"/api/v1/appeals/{appeal.pk}/{action}", data, content_type="application/json", headers=headers), None


def _page_offers_the_step_as_the_cell_says(client, action, appeal, expected):
    """Whoever sees the appeal page is offered the step (its `can` and its form) exactly when the cell allows it."""
    page = client.get(reverse("dialogue:detail", args=[appeal.pk]))
    if page.status_code != 200:
        assert expected == D  # who cannot read the appeal cannot act on it
        return
    assert page.context["can"][action] is (expected == A)
    assert (f'id="form-{action}"' in page.content.decode()) is (expected == A)


@pytest.mark.parametrize("channel, action, role, expected", list(_cells()))
def test_role_action_cell(client, people, submit, at, token_for, channel, action, role, expected):
    appeal = _appeal_for(action, people, submit, at)
    user = _user(people, role)
    data = _valid_data(action, appeal, people, channel)
    before = _snapshot(appeal)

    with at(TODAY):
        if channel == "page":
            if user is not None:
                client.force_login(user)
            if action != "view":
                _page_offers_the_step_as_the_cell_says(client, action, appeal, expected)
            response = _page_request(client, action, appeal, data)
            events_response = None
        else:
            response, events_response = _api_request(client, action, appeal, data, token_for(user) if user else None)

    if expected == A:
        if action == "view":
            assert response.status_code == 200
            if channel == "page":
                assert appeal.number in response.content.decode()
            else:
                assert response.json()["number"] == appeal.number
                assert [e["kind"] for e in events_response.json()][0] == "registered"
            assert _snapshot(appeal) == before  # reading changes nothing
            return
        assert response.status_code == (302 if channel == "page" else 200), response.content[:500]
        after = Appeal.objects.get(pk=appeal.pk)
        assert after.events.count() == before["events"] + 1
        last = after.events.order_by("-seq").first()
        assert last.kind == EVENT_OF[action]
        assert last.actor == user
        if action == "complain":
            assert Appeal.objects.get(complaint_about=appeal).applicant == user
        return

    # Denied: refused with the right kind of status, and nothing moved.
    if channel == "page" and user is None and action == "view":
        assert response.status_code == 404  # a private appeal does not exist for the public
    elif channel == "page" and user is None:
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    elif channel == "api" and user is None and action != "view":
        assert response.status_code == 401
    else:
        assert response.status_code in (403, 404), response.status_code
    if channel == "api":
        body = response.json()
        assert set(body) == {"detail", "errors"}
    assert _snapshot(appeal) == before


def _list_cells():
    for page, row in LIST_PAGES.items():
        for role in ROLES:
            yield pytest.param(page, role, row[role], id=f"{page.split(':')[1]}-{role}-{row[role]}")


@pytest.mark.parametrize("page, role, expected", list(_list_cells()))
def test_list_page_cell(client, people, submit, at, page, role, expected):
    with at(LONG_AGO):
        appeal = submit(people["applicant"])  # open, at the ACA, overdue by TODAY
    user = _user(people, role)
    if user is not None:
        client.force_login(user)
    with at(TODAY):
        response = client.get(reverse(page))
    if expected == D:
        if user is None:
            assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        else:
            assert response.status_code == 403
        return
    assert response.status_code == 200
    assert (appeal.number in response.content.decode()) == (expected == LISTED)


# A published public appeal is readable by everyone, but reading it grants no right to act on it.
OUTSIDERS = ("anonymous", "other_applicant", "other_official", "other_head", "moderator")


def _public_cells():
    for role in OUTSIDERS:
        for channel in ("page", "api"):
            yield pytest.param(channel, "view", role, id=f"{channel}-view-{role}")
            for action in EVENT_OF:
                yield pytest.param(channel, action, role, id=f"{channel}-{action}-{role}")


@pytest.mark.parametrize("channel, action, role", list(_public_cells()))
def test_published_appeal_is_public_to_read_not_to_act_on(client, people, submit, at, token_for, channel, action, role):
    appeal = _appeal_for(action, people, submit, at)
    with at(TODAY) as now:
        Appeal.objects.filter(pk=appeal.pk).update(is_public=True, published_at=now)  # as moderation does
    user = _user(people, role)
    data = _valid_data(action, appeal, people, channel)
    before = _snapshot(appeal)
    with at(TODAY):
        if channel == "page":
            if user is not None:
                client.force_login(user)
            response = _page_request(client, action, appeal, data)
        else:
            response, _ = _api_request(client, action, appeal, data, token_for(user) if user else None)
    if action == "view":
        assert response.status_code == 200
    elif user is None:
        assert response.status_code == (302 if channel == "page" else 401)
    else:
        # The appeal is visible, so the refusal is a plain "forbidden", not "not found".
        assert response.status_code == 403
    assert _snapshot(appeal) == before


# The site-wide rules every page's `can` carries (registered by the apps with core/permissions.py), cell by cell.
SITE = {
    "write_appeals": {
        "anonymous": D,
        "owner": A,
        "other_applicant": A,
        "official": D,
        "head": D,
        "other_official": D,
        "other_head": D,
        "moderator": D,
        "monitor": D,
        "admin": D,
    },
    "work_inbox": {
        "anonymous": D,
        "owner": D,
        "other_applicant": D,
        "official": A,
        "head": A,
        "other_official": A,
        "other_head": A,
        "moderator": D,
        "monitor": D,
        "admin": D,
    },
    "publish_data": {
        "anonymous": D,
        "owner": D,
        "other_applicant": D,
        "official": A,
        "head": A,
        "other_official": A,
        "other_head": A,
        "moderator": D,
        "monitor": D,
        "admin": A,
    },
    "oversee": {
        "anonymous": D,
        "owner": D,
        "other_applicant": D,
        "official": D,
        "head": D,
        "other_official": D,
        "other_head": D,
        "moderator": D,
        "monitor": A,
        "admin": A,
    },
    "moderate": {
        "anonymous": D,
        "owner": D,
        "other_applicant": D,
        "official": D,
        "head": D,
        "other_official": D,
        "other_head": D,
        "moderator": A,
        "monitor": D,
        "admin": A,
    },
    "verify_in_person": {
        "anonymous": D,
        "owner": D,
        "other_applicant": D,
        "official": A,
        "head": A,
        "other_official": A,
        "other_head": A,
        "moderator": D,
        "monitor": D,
        "admin": A,
    },
    "open_polls": {
        "anonymous": D,
        "owner": D,
        "other_applicant": D,
        "official": A,
        "head": A,
        "other_official": A,
        "other_head": A,
        "moderator": D,
        "monitor": D,
        "admin": D,
    },
    "write_blog": {
        "anonymous": D,
        "owner": D,
        "other_applicant": D,
        "official": D,
        "head": A,
        "other_official": D,
        "other_head": A,
        "moderator": D,
        "monitor": D,
        "admin": D,
    },
}
# The links offered under each rule: (the page that offers them, the pages they lead to). The pages a rule guards
# serve exactly the people the link is offered to; anyone signed in may write an appeal, but its links are for the
# accounts meant for it.
SITE_LINKS = {
    "write_appeals": ("home", ("dialogue:new", "dialogue:mine")),
    "work_inbox": ("home", ("dialogue:inbox",)),
    "publish_data": ("home", ("opendata:publisher",)),
    "oversee": ("home", ("dialogue:overdue", "assessment:dashboard")),
    "moderate": ("home", ("moderation:queue", "legalacts:moderation")),
    "verify_in_person": ("accounts:verification", ("accounts:verify-in-person",)),
    "open_polls": ("polls:index", ("polls:new",)),
    "write_blog": ("home", ("blogs:manage",)),
}
GUARDED = {rule: links for rule, (_, links) in SITE_LINKS.items() if rule != "write_appeals"}
# What the appeal page adds to its `can`: each step of the table of actions, and what the applicant is told.
APPEAL_PAGE_CAN = set(ACTIONS) | {"challenge_in_court_only"}


def test_the_site_table_covers_every_registered_rule_and_role():
    assert set(SITE) == set(site_permissions.rules()) == set(SITE_LINKS)
    for row in SITE.values():
        assert tuple(row) == ROLES


def test_every_can_a_template_asks_is_a_rule():
    # A misspelt `can.<name>` would silently read as false and hide a link or a form from everyone.
    asked = set()
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        asked |= set(re.findall(r"\bcan\.(\w+)", template.read_text(encoding="utf-8")))
    assert asked, "no template asks `can`"
    assert asked <= set(SITE) | APPEAL_PAGE_CAN, asked - set(SITE) - APPEAL_PAGE_CAN


def _site_cells():
    for role in ROLES:
        yield pytest.param(role, id=role)


@pytest.mark.parametrize("role", list(_site_cells()))
def test_each_page_offers_the_links_its_rules_allow_and_those_pages_agree(client, people, role, settings):
    # It reads each page's template context, which a page from the public cache (core/pagecache.py) has not.
    settings.ASHYQ_PAGE_CACHE_SECONDS = 0
    user = _user(people, role)
    if user is not None:
        client.force_login(user)
    for rule, row in SITE.items():
        allowed = row[role] == A
        page, targets = SITE_LINKS[rule]
        response = client.get(reverse(page))
        if response.status_code != 200:
            assert user is None and not allowed  # a page for signed-in people only: nothing is offered to nobody
            continue
        assert response.context["can"][rule] is allowed, rule
        html = response.content.decode()
        if page == "home":  # base.html's links: in the main navigation
            html = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
        for name in targets:
            assert (f'href="{reverse(name)}"' in html) is allowed, (rule, name)
        for name in GUARDED.get(rule, ()):
            status = client.get(reverse(name)).status_code
            if allowed:
                assert status == 200, (rule, name)
            else:
                assert status in ((302, 403) if user is None else (403,)), (rule, name, status)
