"""Nothing a reader sees on a Kazakh or Russian page is left in English.

The main public pages are rendered in kk and ru with the Silk Road data, open datasets and appeals loaded, and every
visible text is read as a person would (scripts and styles left out, the alt, title, placeholder and aria-label that
assistive technology reads kept in). A text fails when it holds an English word of Ashyq's own vocabulary — a word of
an interface string in the catalog or of a country's English name — unless it stands inside an element marked
lang="en" (quoted source text and proper names in English, as WCAG 3.1.2 asks), or in code (<code>, <kbd>, a column's
name). Codes (CSV, JSON, HS codes) are in capitals or figures, file names and identifiers hold a dot, an underscore
or a slash, or are slugs (manage.py, share_pct, datapackage.json): none of them counts. What people publish (a dataset's rows, a
resource's file name, the source a publisher typed) is theirs and is marked data-user-content.

The vocabulary comes from the catalog and CLDR, not from a list in this file, so a new string that is never
translated, or a country name typed into a page, fails here."""

import re
from functools import cache
from pathlib import Path

import lxml.html
import pytest
from babel import Locale
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

from ashyq.opendata.showcase import load_showcase

from .test_url_access import iter_patterns, sample_urls, url_context  # noqa: F401 (url_context: a fixture used below)

CATALOG = Path(__file__).resolve().parent.parent / "src" / "ashyq" / "locale" / "ru" / "LC_MESSAGES" / "django.po"
WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][a-z]+(?:['’][a-z]+)?(?![A-Za-z0-9])")
HIDDEN = {"script", "style", "template", "noscript", "code", "kbd", "samp"}
READ_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")
# Names of the project, of standards, formats, services, licences and journals: written the same in every language
# (the publisher's and the blog forms name Markdown, Atom feeds, https links and the Jitsi and BigBlueButton services;
# the legal-acts pages the Akoma Ntoso format; the open-data pages Frictionless's Data Package and the ODbL licence).
PROPER = {"ashyq", "ckan", "dcat", "frictionless", "markdown", "atom", "https", "jitsi", "bigbluebutton"}
PROPER_NAMES = re.compile(
    r"Table Schema|Doing Business|Creative Commons( Attribution)?|Central Asia's Affairs|Open Data Commons|Akoma Ntoso"
    r"|Open Database License|Data Package"
)
CODE = re.compile(r"\S*\w[._/]\w\S*|\b[a-z0-9]+(?:-[a-z0-9]+){2,}\b")


@cache
def english_vocabulary() -> frozenset[str]:
    """Words of the English source strings of the catalog and of CLDR's English country names, three letters or more."""
    words = set()
    with CATALOG.open("rb") as po:
        for message in read_po(po):
            for text in message.id if isinstance(message.id, tuple) else (message.id,):
                words |= {w.lower() for w in WORD.findall(re.sub(r"%\(\w+\)[sd]|\{[^}]*\}|<[^>]+>", " ", text or ""))}
    for name in Locale("en").territories.values():
        words |= {w.lower() for w in WORD.findall(name)}
    return frozenset(w for w in words if len(w) >= 3) - PROPER


def _language_of(element) -> str:
    while element is not None:
        lang = element.get("lang") if hasattr(element, "get") else None
        if lang:
            return lang.split("-")[0]
        element = element.getparent()
    return ""


def _in_code(element) -> bool:
    while element is not None:
        if isinstance(element.tag, str) and (
            element.tag in HIDDEN or element.get("translate") == "no" or element.get("data-user-content") is not None
        ):
            return True
        element = element.getparent()
    return False


def _titles(html: str) -> set[str]:
    return {t.text.strip() for t in lxml.html.fromstring(html).iter("title") if t.text}


def visible_texts(html: str):
    """(text, language) of everything a reader sees or hears, each with the language its element is marked in."""
    root = lxml.html.fromstring(html)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text and element.text.strip() and not _in_code(element):
            yield element.text.strip(), _language_of(element)
        parent = element.getparent()
        if element.tail and element.tail.strip() and parent is not None and not _in_code(parent):
            yield element.tail.strip(), _language_of(parent)
        if not _in_code(element):
            for attribute in READ_ATTRIBUTES:
                if element.get(attribute):
                    yield element.get(attribute).strip(), _language_of(element)
            if element.tag == "input" and element.get("type") in ("submit", "button") and element.get("value"):
                yield element.get("value"), _language_of(element)


def _users_words(html: str) -> list[str]:
    """The texts a page marks as people's own (data-user-content), longest first."""
    root = lxml.html.fromstring(html)
    words = {
        " ".join(e.text_content().split())
        for e in root.iter()
        if isinstance(e.tag, str) and e.get("data-user-content") is not None
    }
    return sorted(filter(None, words), key=len, reverse=True)


def english_left(html: str, language: str) -> list[str]:
    """The texts of a page in `language` that still hold English words of Ashyq's vocabulary."""
    vocabulary = english_vocabulary()
    left = []
    theirs, titles = None, _titles(html)
    for text, lang in visible_texts(html):
        if lang != language:
            continue
        if text in titles:
            # A <title> cannot mark a part of itself: what the page marks as a person's words elsewhere (a resource's
            # name in the heading) is theirs in the title too.
            theirs = _users_words(html) if theirs is None else theirs
            for words in theirs:
                text = text.replace(words, " ")
        words = [w for w in WORD.findall(CODE.sub(" ", PROPER_NAMES.sub(" ", text))) if w.lower() in vocabulary]
        if words:
            left.append(f"{text[:120]!r} ({', '.join(words[:5])})")
    return left


def test_the_detector_finds_english_and_accepts_what_is_marked_or_code():
    page = (
        '<html lang="ru"><body><h1>Страна</h1><p>Russia</p><p lang="en">Agreement on trade</p>'
        '<p>Формат <code>turnover_musd</code>, CSV, share_pct, manage.py</p><img alt="Export chart">'
        "<td data-user-content>China</td><script>var Total = 1;</script></body></html>"
    )
    left = english_left(page, "ru")
    assert len(left) == 2, left
    assert "Russia" in left[0] and "Export chart" in left[1]


def test_a_title_carries_the_words_its_page_marks_as_a_persons_own_and_nothing_else_in_english():
    page = (
        '<html lang="ru"><head><title>Загрузка: monthly figures</title></head>'
        "<body><h1>Загрузка: <span data-user-content>monthly figures</span></h1></body></html>"
    )
    assert english_left(page, "ru") == []
    assert english_left(page.replace("<title>Загрузка", "<title>Upload"), "ru")


@pytest.fixture
def loaded(reference):
    load_showcase()


def pages():
    return [
        ("home", reverse("home")),
        ("data catalogue", reverse("opendata:catalogue")),
        ("Silk Road explorer", reverse("opendata:silk-road")),
        ("comparison", reverse("opendata:compare")),
        ("country page", reverse("opendata:country", args=["china"])),
        ("country page", reverse("opendata:country", args=["russia"])),
        ("dataset", reverse("opendata:dataset", args=["kazakhstan-trading-partners-2019"])),
        ("dataset", reverse("opendata:dataset", args=["silk-road-projects"])),
        ("assessment methodology", reverse("assessment:methodology")),
        ("assessment ranking", reverse("assessment:ranking")),
        ("appeals", reverse("dialogue:public")),
        ("open data of appeals", reverse("open-data")),
    ]


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_public_pages_carry_no_english_interface_text(client, loaded, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    targets = pages()
    # The resource pages of the Silk Road datasets: every table a reader opens from the dataset page.
    for slug in ("kazakhstan-trading-partners-2019", "silk-road-projects", "central-asia-mutual-trade-shares"):
        page = client.get(reverse("opendata:dataset", args=[slug])).content.decode()
        targets += [
            ("resource", link) for link in dict.fromkeys(re.findall(r'href="(/data/datasets/[^"]+/resources/[^"/]+/)"', page))
        ]
    found = {}
    for label, path in targets:
        response = client.get(path)
        assert response.status_code == 200, (label, path, response.status_code)
        left = english_left(response.content.decode(), language)
        if left:
            found[f"{label} {path}"] = left
    assert not found, "\n".join(f"{page}:\n  " + "\n  ".join(texts) for page, texts in found.items())


# ---------------------------------------------------------------------------------------------------------
# Pages seen when signed in: every page each role reaches, found by walking the URL patterns (a new page is checked
# without being listed here), with the objects their URLs point at in the states that show every form.

SIGNED_IN = ("applicant", "official", "head", "moderator", "monitor")
# Not pages a person reads: downloads, feeds, machine formats, the API, the admin (out of scope), and signing out.
NOT_PAGES = re.compile(
    r"^(admin/|api/|open311/|i18n/|health/|accounts/logout/)|\.(csv|json|xml|pdf|atom|ttl|rdf|jsonld|py)\b|download|\(\?P<fmt>"
)
# Pages each role must have been shown (200, HTML): the walk reaching them is what makes its silence mean something.
MUST_SEE = {
    "applicant": {
        "dialogue:mine",
        "dialogue:detail",
        "dialogue:new",
        "dialogue:receipt",
        "dialogue:virtual-reception",
        "accounts:account",
        "accounts:verification",
        "accounts:verify-phone",
        "polls:detail",
        "blogs:post",
        "blogs:conference",
        "legalacts:process",
    },
    "official": {
        "dialogue:inbox",
        "dialogue:detail",
        "dialogue:notifications",
        "opendata:publisher",
        "opendata:dataset-new",
        "opendata:dataset-edit",
        "opendata:resource-new",
        "opendata:upload",
        "opendata:report",
        "polls:new",
        "legalacts:new",
        "legalacts:manage",
    },
    "head": {"dialogue:inbox", "dialogue:detail", "blogs:manage", "blogs:post-new", "blogs:post-edit"},
    "moderator": {"moderation:queue", "moderation:item", "dialogue:anonymous-queue", "legalacts:moderation"},
    "monitor": {"assessment:dashboard", "dialogue:overdue", "dialogue:detail"},
}
# The forms a role's appeal page must have shown (a field of each), so the walk saw the page in the state that has them.
# Named by step, as the appeal page names its fields (its steps are one form).
MUST_SHOW_FIELDS = {
    "applicant": {"feedback-rating", "feedback-resolution"},  # feedback; the complaint form is on the same answered appeal
    "official": {"answer-legal_ground", "answer-outcome", "redirect-to_body"},  # answer, redirect
    "head": {"extend-until", "assign-executor"},  # extension, assignment
}


@pytest.fixture
def signed_in_world(url_context, people, submit, bodies, at, loaded):
    """url_context's private appeal, resource and discussion, and: an answered appeal (the applicant's feedback and
    complaint forms), one assigned to the official (answer, redirect, extension), an overdue one, an appeal awaiting
    moderation, an anonymous report awaiting screening, a poll open and one closed, a head's post and conference,
    and the budget's figures."""
    import datetime as dt

    from ashyq.blogs import services as blogs
    from ashyq.budget import services as budget
    from ashyq.core import clock
    from ashyq.dialogue import services as dialogue
    from ashyq.polls import services as polls

    from .blogs_helpers import open_conference, post_values
    from .polls_helpers import open_poll

    applicant, official, head = people["applicant"], people["official"], people["head"]
    with at(clock.today() - dt.timedelta(days=60)):
        overdue = submit(applicant, subject="Яма на дороге", text="Яма глубиной полметра.", is_public=True)
        dialogue.assign_executor(head, overdue, official)
    answered = submit(applicant, subject="Свет во дворе", text="Во дворе нет света.", is_public=True)
    dialogue.assign_executor(head, answered, official)
    dialogue.answer_appeal(official, answered, text="Свет починили.", outcome="refused", legal_ground="Статья 89 АППК.")
    assigned = submit(applicant, subject="Мусор у школы", text="Мусор не вывозят.")
    dialogue.assign_executor(head, assigned, official)
    report = dialogue.submit_anonymous_report(
        ground="crime",
        body=bodies["anti-corruption-agency"],
        region=url_context["appeal"].region,
        subject="Взятка",
        text="Требовали деньги за справку.",
        confirmed=True,
    )
    # The official's questions and choices are the official's words (in Russian here); the page around them is Ashyq's.
    questions = [
        {"text": "Какой парк ремонтировать первым?", "kind": "single", "choices": ["Центральный", "Речной"]},
        {"text": "Что в нём нужно?", "kind": "multiple", "choices": ["Скамейки", "Фонари"]},
    ]
    poll = open_poll(
        official, title="Парки Алматы", description="Скажите акимату, какой парк ремонтировать.", questions=questions
    )
    closed = open_poll(official, title="Скверы", description="Какой сквер обновить?", questions=questions)
    polls.close_poll(official, closed, confirmed=True)
    post = blogs.write_post(head, publish=True, **post_values())
    draft = blogs.write_post(head, **post_values(title_ru="Черновик"))
    conference = open_conference(head)
    budget.import_budget(None, months=["03.2025"], publish=False)
    url_context["by_name"]["pk"] = [
        *url_context["by_name"]["pk"],
        answered.pk,
        assigned.pk,
        overdue.pk,
        report.pk,
        poll.pk,
        closed.pk,
        post.pk,
        draft.pk,
        conference.pk,
    ]
    return url_context


def signed_in_pages(context):
    """(route name, URL) of every page pattern, with each sample URL test_url_access builds for it."""
    for route, name, levels, callback in iter_patterns():
        if not NOT_PAGES.search(route):
            for url in sample_urls(levels, callback, context):
                yield name, url


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_pages_seen_when_signed_in_carry_no_english_interface_text(signed_in_world, people, language):
    from django.test import Client

    found, seen, problems = {}, {}, []
    pages = list(dict.fromkeys(signed_in_pages(signed_in_world)))
    for role in SIGNED_IN:
        client = Client()
        client.force_login(people[role])
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for name, url in pages:
            response = client.get(url)
            if response.status_code >= 500:
                problems.append(f"{url} as {role}: {response.status_code}")
            if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                continue
            page = response.content.decode()
            seen.setdefault(role, {}).setdefault(name, []).append(page)
            left = english_left(page, language)
            if left:
                found.setdefault(f"{url} as {role}", left)
    assert not problems, "\n".join(problems)
    for role, names in MUST_SEE.items():
        assert names <= set(seen.get(role, {})), (role, sorted(names - set(seen.get(role, {}))))
    for role, fields in MUST_SHOW_FIELDS.items():
        detail = "\n".join(seen[role]["dialogue:detail"])
        assert all(f'name="{field}"' in detail for field in fields), (role, fields)
    assert not found, "\n".join(f"{page}:\n  " + "\n  ".join(texts) for page, texts in found.items())
