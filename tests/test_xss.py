"""XSS: every payload of tests/xss_payloads.txt goes through every text field that pages show, and every page
that shows them must carry them only escaped: no script, no event handler, no javascript: URL, no foreign
tag, no template evaluated. The text emails carry the same words as written, neither escaped nor broken."""

import datetime as dt
import html as html_lib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from ashyq.accounts.models import User
from ashyq.core import calendar
from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal

PAYLOADS = [
    line.rstrip("\n")
    for line in (Path(__file__).parent / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("## ")
]
TODAY = dt.date(2026, 11, 2)
SPECIAL = set("<>\"'")

DANGEROUS_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "base",
    "style",
    "link-import",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "srcdoc"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg")
FIRST_NAME = "<script>alert('first')</script>"
LAST_NAME = "\"><img src=x onerror=alert('last')>"


def _own_static_script(tag, attrs) -> bool:
    """The site's own script files (site.js on every page, the appeal form's and upload page's enhancements), named by a
    fixed static path.
    No text reaches its tag: a payload that tried would show up unescaped, which audit() reports."""
    attrs = dict(attrs)
    return tag == "script" and set(attrs) <= {"src", "defer"} and bool(OWN_SCRIPT.fullmatch(attrs.get("src") or ""))


# With or without the hash the production storage adds to the name.
OWN_SCRIPT = re.compile(
    re.escape(django_settings.STATIC_URL) + r"ashyq/(?:body-suggestions|upload-progress|file-size|site)(?:\.[0-9a-f]{12})?\.js"
)


class TagAudit(HTMLParser):
    """What a browser would see as markup: tags and attributes, after entity decoding."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS and not _own_static_script(tag, attrs):
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and any(name == "http-equiv" for name, _ in attrs):
            self.problems.append("<meta http-equiv>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            if name in URL_ATTRIBUTES and value:
                compact = "".join(ch for ch in value if ch.isprintable() and not ch.isspace()).lower()
                if compact.startswith(BAD_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def audit(url: str, page: str, payloads) -> list[str]:
    parser = TagAudit()
    parser.feed(page)
    problems = [f"{url}: {p}" for p in parser.problems]
    for payload in payloads:
        if SPECIAL & set(payload) and payload in page:
            problems.append(f"{url}: the payload {payload!r} appears unescaped")
    if django_settings.SECRET_KEY in page:
        problems.append(f"{url}: the SECRET_KEY is on the page (a template was evaluated)")
    return problems


def groups(size_limit=200):
    """Payloads packed into subjects of at most 200 characters."""
    out, current = [], []
    for payload in PAYLOADS:
        if current and len(" | ".join([*current, payload])) > size_limit:
            out.append(current)
            current = []
        current.append(payload)
    out.append(current)
    return out


def test_the_corpus_covers_the_classic_vectors():
    text = "\n".join(PAYLOADS).lower()
    for needle in ("<script", "onerror=", "javascript:", "<svg", "{{", "{%", "\u202e", '"><', "'><", "<iframe", "&#"):
        assert needle in text, needle
    assert len(PAYLOADS) >= 30


@pytest.fixture
def world(client, people, bodies, at, run_queue, django_capture_on_commit_callbacks):
    # The sign-up email is sent on commit, the appeals' emails by the worker.
    with run_queue, django_capture_on_commit_callbacks(execute=True):
        return _world(client, people, bodies, at)


def _world(client, people, bodies, at):
    """Per group of payloads: appeal A (extended, answered with a refusal, feedback, complaint, published)
    and appeal B (redirected, then withdrawn), from an applicant who signed up with payloads as names."""
    client.post(
        reverse("accounts:signup"),
        {
            "username": "xss-citizen",
            "email": "xss@example.kz",
            "first_name": FIRST_NAME,
            "last_name": LAST_NAME,
            "language": "en",
            "password1": "long-enough-password-77",
            "password2": "long-enough-password-77",
        },
    )
    applicant = User.objects.get(username="xss-citizen")
    assert (applicant.first_name, applicant.last_name) == (FIRST_NAME, LAST_NAME)
    User.objects.filter(pk=applicant.pk).update(is_active=True, language="en")
    applicant.refresh_from_db()
    official = people["official"]
    User.objects.filter(pk=official.pk).update(first_name="<b onmouseover=alert(1)>Official", last_name="'><script>x</script>")
    official.refresh_from_db()
    from ashyq.core.models import Region

    region = Region.objects.get(iso_code="KZ-75")
    made = []
    with at(TODAY):
        for chunk in groups():
            subject, long = " | ".join(chunk), "\n".join(chunk)
            a = services.submit_appeal(
                applicant,
                body=bodies["anti-corruption-agency"],
                type="report",
                subject=subject,
                text=long,
                region=region,
                is_public=True,
            )
            services.assign_executor(people["head"], a, official)
            services.extend_deadline(people["head"], a, calendar.add_working_days(a.due_on, 5), long)
            services.answer_appeal(official, a, text=long, outcome="refused", legal_ground=long)
            services.record_feedback(applicant, a, resolution="no", rating=1, comment=long)
            complaint = services.complain_about_answer(applicant, a, text=long)
            b = services.submit_appeal(
                applicant, body=bodies["anti-corruption-agency"], type="request", subject=subject, text=long, region=region
            )
            services.redirect_appeal(official, b, bodies["general-prosecutors-office"], long)
            services.withdraw_appeal(applicant, b, long)
            _moderate(people["moderator"], a, long)
            made.append({"payloads": chunk, "a": a, "b": b, "complaint": complaint})
    return {"groups": made, "applicant": applicant, "official": official}


def _moderate(moderator, appeal, long):
    """Publish A through the moderation app, and report it with a payload comment, if the app offers that."""
    try:
        from ashyq.moderation import services as moderation
    except ImportError:
        return
    for target in ("appeal", "answer"):
        if hasattr(moderation, "approve"):
            moderation.approve(moderator, Appeal.objects.get(pk=appeal.pk), target=target)
    if hasattr(moderation, "report_abuse"):
        moderation.report_abuse(
            None, "203.0.113.9", Appeal.objects.get(pk=appeal.pk), target="appeal", reason="personal_data", comment=long[:1000]
        )


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _get(client, url):
    response = client.get(url)
    assert response.status_code in (200, 400), (url, response.status_code)
    return response.content.decode()


def test_payloads_in_every_field_are_shown_escaped_on_every_page(world, people, at):
    everyone = "\n".join(PAYLOADS)
    problems = []
    applicant, official = world["applicant"], world["official"]
    viewers = {
        "applicant": _client(applicant),
        "official": _client(official),
        "head": _client(people["head"]),
        "other_official": _client(people["other_official"]),
        "monitor": _client(people["monitor"]),
        "moderator": _client(people["moderator"]),
        "anonymous": _client(),
    }
    with at(TODAY + dt.timedelta(days=40)):
        # Lists and public pages, as everyone who may see them.
        lists = [
            "/appeals/mine/",
            "/appeals/inbox/?closed=1",
            "/appeals/overdue/",
            "/appeals/public/",
            f"/appeals/public/?q={PAYLOADS[0][:20]}",
            "/bodies/anti-corruption-agency/",
            "/bodies/general-prosecutors-office/",
            "/moderation/",
            "/",
        ]
        for who, client in viewers.items():
            for url in lists:
                response = client.get(url)
                if response.status_code == 200:
                    problems += audit(f"{url} as {who}", response.content.decode(), PAYLOADS)
        for group in world["groups"]:
            chunk, a, b, complaint = group["payloads"], group["a"], group["b"], group["complaint"]
            pages = {
                "a-applicant": _get(viewers["applicant"], f"/appeals/{a.pk}/"),
                "a-official": _get(viewers["official"], f"/appeals/{a.pk}/"),
                "a-monitor": _get(viewers["monitor"], f"/appeals/{a.pk}/"),
                "b-applicant": _get(viewers["applicant"], f"/appeals/{b.pk}/"),
                "b-other-official": _get(viewers["other_official"], f"/appeals/{b.pk}/"),
                "complaint-applicant": _get(viewers["applicant"], f"/appeals/{complaint.pk}/"),
            }
            public = viewers["anonymous"].get(f"/appeals/{a.pk}/")
            if public.status_code == 200:
                pages["a-public"] = public.content.decode()
            for target in ("appeal", "answer", "hidden"):
                moderation = viewers["moderator"].get(f"/moderation/{a.pk}/{target}/")
                if moderation.status_code == 200:
                    pages[f"a-moderation-{target}"] = moderation.content.decode()
            for name, page in pages.items():
                problems += audit(f"{name} {a.number}", page, PAYLOADS)
            # Shown, escaped: subject, text, extension reason, answer, legal ground, feedback comment (A);
            # redirect and withdrawal reasons (B); the complaint's text; the applicant's and official's names.
            for payload in chunk:
                shown = escape(payload)
                assert pages["a-applicant"].count(shown) >= 6, (payload, "A as applicant")
                assert pages["b-applicant"].count(shown) >= 4, (payload, "B as applicant")
                assert shown in pages["complaint-applicant"], (payload, "complaint")
                assert shown in pages["b-other-official"], (payload, "B at the receiving body")
            assert escape(FIRST_NAME) in pages["a-official"] and escape(LAST_NAME) in pages["a-official"]
            assert escape("<b onmouseover=alert(1)>Official") in pages["a-applicant"]
    assert not problems, "\n".join(dict.fromkeys(problems))
    assert everyone  # the corpus was used


@pytest.mark.parametrize("payload", PAYLOADS)
def test_reflected_inputs_are_escaped(payload, client, people):
    """Query strings and form values that pages echo back: the login's next, the appeal form, the public search."""
    pages = {
        "login next": client.get(reverse("accounts:login"), {"next": payload}),
        "signup": client.post(
            reverse("accounts:signup"),
            {"username": payload[:150], "first_name": payload, "last_name": payload, "email": "not-an-email"},
        ),
        "public search": client.get("/appeals/public/", {"q": payload, "page": payload}),
        "bodies page": client.get("/bodies/anti-corruption-agency/", {"page": payload}),
    }
    client.force_login(people["applicant"])
    pages["new appeal"] = client.post(
        reverse("dialogue:new"), {"subject": payload, "text": payload, "body": payload, "region": payload}
    )
    pages["new appeal ?body"] = client.get(reverse("dialogue:new"), {"body": payload})
    problems = []
    for name, response in pages.items():
        assert response.status_code < 500, name
        if "text/html" in response.get("Content-Type", ""):
            problems += audit(name, response.content.decode(), [payload])
    assert not problems, "\n".join(problems)


def test_emails_carry_the_text_as_written(world):
    messages = mail.outbox
    assert messages
    subjects = {g["a"].subject for g in world["groups"]} | {g["b"].subject for g in world["groups"]}
    seen = set()
    for message in messages:
        assert "\n" not in message.subject and "\r" not in message.subject
        raw = message.message().as_bytes()  # serialisable: no header injection, valid encoding
        assert raw
        for subject in subjects:
            if subject in message.body:
                seen.add(subject)
            assert escape(subject) == subject or escape(subject) not in message.body, "a text email shows HTML entities"
    assert seen == subjects, "every appeal's subject reaches its email unchanged"
    confirmation = [m for m in messages if "xss@example.kz" in m.to and "onfirm" in m.subject]
    assert confirmation and FIRST_NAME in confirmation[0].body, "the sign-up email greets the name as written"
    assert escape(FIRST_NAME) not in confirmation[0].body


def test_the_record_and_api_keep_the_payload_verbatim(world, token_for):
    """Escaping is the page's job: the stored text and the API's JSON are exactly what was written."""
    group = world["groups"][0]
    a = Appeal.objects.get(pk=group["a"].pk)
    assert a.subject == " | ".join(group["payloads"])
    client = Client()
    data = client.get(f"/api/v1/appeals/{a.pk}", headers={"Authorization": f"Bearer {token_for(world['applicant'])}"}).json()
    assert data["subject"] == a.subject and data["answer"]["text"] == "\n".join(group["payloads"])
    assert html_lib.unescape(escape(a.subject)) == a.subject


def test_the_audit_catches_what_it_should():
    assert audit("t", "<p><img src=x onerror=alert(1)></p>", [])
    assert audit("t", '<a href=" jav&#x61;script:alert(1)">x</a>', [])
    assert audit("t", "<svg><script>1</script></svg>", [])
    assert audit("t", '<p>"><b>', ['"><b>'])
    assert not audit("t", f"<p>{escape(PAYLOADS[0])}</p>", PAYLOADS)
