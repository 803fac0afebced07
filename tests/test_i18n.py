"""The UI in Kazakh, Russian and English: complete catalogs, compiled .mo files that match them, pages that
render in each language, a language switcher that works, and emails in the applicant's own language.

The suite runs in English by default (conftest.py); the tests here ask for other languages explicitly.
"""

import ast
import gettext as gettext_module
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from ashyq.accounts.models import User
from ashyq.dialogue.models import Appeal, AppealType

SRC = Path(settings.BASE_DIR)
LOCALE = SRC / "locale"
CATALOG_LANGUAGES = ["kk", "ru"]
PLURAL_FORMS = {
    "kk": "nplurals=2; plural=(n != 1);",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
}


# --- a small .po reader (no extra dependency) -------------------------------------------------------------


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgid_plural, msgstr or msgstr[n], flags. Obsolete (#~) entries are skipped."""
    entries, entry, key = [], None, None

    def flush():
        if entry and "msgid" in entry:
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            flush()
            entry, key = None, None
            continue
        if line.startswith("#~"):
            continue
        entry = entry or {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if match:
            key = match.group(1)
            value = ast.literal_eval(match.group(3))
            if key.startswith("msgstr"):
                key = int(match.group(2)) if match.group(2) else 0
                entry["msgstr"][key] = value
            else:
                entry[key] = value
            continue
        assert line.startswith('"'), f"{path}: cannot read line {line!r}"
        value = ast.literal_eval(line)
        if isinstance(key, int):
            entry["msgstr"][key] += value
        else:
            entry[key] += value
    return entries


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def messages(lang: str) -> list[dict]:
    return [e for e in read_po(po_path(lang)) if e["msgid"] != ""]


def header(lang: str) -> dict:
    head = next(e for e in read_po(po_path(lang)) if e["msgid"] == "")
    return dict(line.split(": ", 1) for line in head["msgstr"][0].splitlines() if ": " in line)


PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


# --- (a) every message translated ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_the_catalog_header_names_the_language_encoding_and_plural_rule(lang):
    head = header(lang)
    assert head["Language"] == lang
    assert head["Content-Type"] == "text/plain; charset=UTF-8"
    assert head["Plural-Forms"] == PLURAL_FORMS[lang]
    assert "fuzzy" not in read_po(po_path(lang))[0]["flags"]


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(lang):
    entries = messages(lang)
    assert len(entries) > 200  # the whole UI, not a stub
    nplurals = int(re.search(r"nplurals=(\d+)", PLURAL_FORMS[lang]).group(1))
    untranslated = [e["msgid"] for e in entries if not all(s.strip() for s in e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    wrong_plurals = [e["msgid"] for e in entries if "msgid_plural" in e and sorted(e["msgstr"]) != list(range(nplurals))]
    assert untranslated == [], f"{lang}: untranslated messages"
    assert fuzzy == [], f"{lang}: fuzzy messages (check the translation, then remove the flag)"
    assert wrong_plurals == [], f"{lang}: plural messages need exactly {nplurals} forms"


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_translations_keep_every_placeholder(lang):
    broken = []
    for e in messages(lang):
        if "python-format" not in e["flags"]:
            continue
        for index, text in e["msgstr"].items():
            source = e["msgid"] if index == 0 or "msgid_plural" not in e else e["msgid_plural"]
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                broken.append((e["msgid"], index, text))
    assert broken == []


# --- (b) the committed .mo files are compiled from the current .po files -------------------------------------


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_the_compiled_catalog_matches_the_po_file(lang):
    mo = po_path(lang).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `manage.py compilemessages` and commit the .mo file"
    with mo.open("rb") as handle:
        compiled = gettext_module.GNUTranslations(handle)._catalog
    expected = {}
    for e in messages(lang):
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            expected.update({(key, i): text for i, text in e["msgstr"].items()})
        else:
            expected[key] = e["msgstr"][0]
    stale = {k: (v, compiled.get(k)) for k, v in expected.items() if compiled.get(k) != v}
    assert stale == {}, f"{mo} is older than its .po: run `manage.py compilemessages` and commit the .mo file"
    extra = set(compiled) - set(expected) - {""}
    assert extra == set(), f"{mo} has messages its .po no longer has: recompile it"


# --- every string the source marks for translation is in the catalogs ---------------------------------------

PY_CALL = re.compile(r"""\b(?:_|gettext|gettext_lazy|gettext_noop)\(\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*[,)]""")
TPL_TRANSLATE = re.compile(r"""{%\s*trans(?:late)?\s+("[^"]*"|'[^']*')([^%]*)%}""")
TPL_BLOCK = re.compile(r"{%\s*blocktrans(?:late)?\b([^%]*)%}(.*?){%\s*(?:endblocktrans(?:late)?|plural)\s*%}", re.S)


def marked_in_source() -> dict[str, str]:
    """msgid -> where, for the literals that makemessages would extract (simple cases)."""
    found = {}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for literal in PY_CALL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(ast.literal_eval(literal), str(path.relative_to(SRC)))
    for path in (SRC / "templates").rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        for literal, options in TPL_TRANSLATE.findall(text):
            if "context" not in options:
                found.setdefault(literal[1:-1], str(path.relative_to(SRC)))
        for options, body in TPL_BLOCK.findall(text):
            if "context" in options:
                continue
            body = body.replace("%", "%%")
            body = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", body)
            if "trimmed" in options.split():
                body = " ".join(line.strip() for line in body.strip().splitlines() if line.strip())
            found.setdefault(body, str(path.relative_to(SRC)))
    return found


@pytest.mark.parametrize("lang", CATALOG_LANGUAGES)
def test_every_string_marked_in_the_source_is_in_the_catalog(lang):
    marked = marked_in_source()
    assert "Write an appeal" in marked and "Appeal %(number)s registered" in marked  # the scan itself works
    known = {e["msgid"] for e in messages(lang)}
    missing = {msgid: where for msgid, where in marked.items() if msgid not in known}
    assert missing == {}, (
        "new strings are not in the catalog: cd src/ashyq && ../../.venv/bin/python ../../manage.py makemessages "
        "-l kk -l ru --ignore=static, translate them, then compilemessages and commit the .po and .mo files"
    )


# --- (c) pages render in each language and the switcher works ------------------------------------------------


def t(lang: str, msgid: str) -> str:
    with translation.override(lang):
        return translation.gettext(msgid)


@pytest.fixture
def appeal(people, submit):
    return submit(people["applicant"])


def page_urls(appeal):
    """Path -> who is signed in to see it, and messages the page must show."""
    return {
        "/": (None, ["Open Dialogue: write to the head of a state body", "Write an appeal", "State bodies"]),
        "/bodies/": (None, ["State bodies", "Write to the head"]),
        "/accounts/login/": (None, ["Sign in", "No account yet?"]),
        "/accounts/signup/": (
            None,
            [
                "Create account",
                "First name",
                "Language of emails",
                # Django's own help texts, which Django's Kazakh catalog lacks (core/django_strings.py)
                "Your password can’t be entirely numeric.",
                "Enter the same password as before, for verification.",
            ],
        ),
        "/appeals/new/": ("applicant", ["Send the appeal", "Type of appeal", "Text of the appeal", "To the head of"]),
        f"/appeals/{appeal.pk}/": ("applicant", ["Record", "Answer due by", "Withdraw the appeal"]),
    }


def test_home_page_heading_in_kazakh_by_default_and_in_russian(client, reference, settings):
    settings.LANGUAGE_CODE = "kk"  # the site's own default
    page = client.get("/").content.decode()
    assert '<html lang="kk">' in page
    assert "Ашық диалог: мемлекеттік орган басшысына жазыңыз" in page
    page = client.get("/", headers={"accept-language": "ru"}).content.decode()
    assert '<html lang="ru">' in page
    assert "Открытый диалог: напишите руководителю госоргана" in page


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_key_pages_render_in_each_language(client, people, appeal, lang):
    for path, (who, msgids) in page_urls(appeal).items():
        if who:
            client.force_login(people[who])
        else:
            client.logout()
        response = client.get(path, headers={"accept-language": lang})
        assert response.status_code == 200, path
        page = response.content.decode()
        assert f'<html lang="{lang}">' in page, path
        for msgid in msgids + ["Ashyq is open-source software for open government. Demo appeals are synthetic."]:
            translated = t(lang, msgid)
            if lang != "en":
                assert translated != msgid, f"{lang}: {msgid!r} is not translated"
                assert escape(msgid) not in page, f"{path} shows English {msgid!r} in {lang}"
            assert escape(translated) in page, f"{path} lacks {translated!r} in {lang}"
        # The language switcher is on every page: one button per language, posting to set_language.
        assert f'action="{reverse("set_language")}"' in page, path
        for code in ("kk", "ru", "en"):
            assert f'name="language" value="{code}"' in page, path


@pytest.mark.parametrize(
    "lang, labels, choices",
    [
        (
            "kk",
            ["Өтініш түрі", "Өтініш мәтіні", "Тіркемелер"],
            {"application": "арыз", "complaint": "шағым", "report": "хабарлама", "feedback": "пікір", "proposal": "ұсыныс"},
        ),
        (
            "ru",
            ["Вид обращения", "Текст обращения", "Вложения"],
            {
                "application": "заявление",
                "complaint": "жалоба",
                "report": "сообщение",
                "feedback": "отклик",
                "proposal": "предложение",
                "request": "запрос",
            },
        ),
    ],
)
def test_the_appeal_form_labels_and_type_choices_are_translated(client, people, lang, labels, choices):
    client.force_login(people["applicant"])
    page = client.get(reverse("dialogue:new"), headers={"accept-language": lang}).content.decode()
    for label in labels:
        assert label in page
    for value, label in choices.items():
        assert re.search(rf'<option value="{value}"[^>]*>{label}</option>', page), (value, label)
    for value in AppealType.values:  # no type left in English
        assert not re.search(rf'<option value="{value}"[^>]*>{value}</option>', page)
    # Help text interpolated at request time, in the request's language.
    assert t(lang, "Up to %(n)d files: PDF, JPEG or PNG, at most 10 MB each.") % {"n": settings.ASHYQ_MAX_ATTACHMENTS} in page


def test_the_appeal_page_shows_type_status_and_number_in_the_chosen_language(client, people, appeal):
    client.force_login(people["applicant"])
    page = client.get(reverse("dialogue:detail", args=[appeal.pk]), headers={"accept-language": "kk"}).content.decode()
    assert f"№ {appeal.number} өтініш" in page and "хабарлама" in page and "тіркелді" in page
    page = client.get(reverse("dialogue:detail", args=[appeal.pk]), headers={"accept-language": "ru"}).content.decode()
    assert f"Обращение № {appeal.number}" in page and "сообщение" in page and "зарегистрировано" in page
    assert appeal.body.name_ru in page


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_state_bodies_page_shows_names_and_kinds_in_the_language(client, bodies, lang):
    page = client.get(reverse("bodies"), headers={"accept-language": lang}).content.decode()
    body = bodies["anti-corruption-agency"]
    assert escape(getattr(body, f"name_{lang}")) in page
    assert escape(t(lang, "ministry").capitalize()[:1] + t(lang, "ministry")[1:]) in page


def test_the_language_switcher_changes_the_language_of_every_page(client, people, appeal):
    for path, (who, _msgids) in page_urls(appeal).items():
        if who:
            client.force_login(people[who])
        else:
            client.logout()
        for code in ("ru", "kk", "en"):
            response = client.post(reverse("set_language"), {"language": code, "next": path})
            assert response.status_code == 302 and response["Location"] == path
            page = client.get(path).content.decode()
            assert f'<html lang="{code}">' in page, (path, code)
            assert escape(t(code, "Ashyq is open-source software for open government. Demo appeals are synthetic.")) in page


def test_russian_plural_forms_follow_the_number():
    with translation.override("ru"):

        def left(n):
            return translation.ngettext("%(n)s working day left", "%(n)s working days left", n) % {"n": n}

        assert left(1) == "остался 1 рабочий день"
        assert left(3) == "осталось 3 рабочих дня"
        assert left(5) == "осталось 5 рабочих дней"
        assert left(11) == "осталось 11 рабочих дней"
        assert left(21) == "остался 21 рабочий день"
        assert left(22) == "осталось 22 рабочих дня"
    with translation.override("kk"):
        assert translation.ngettext("%(n)s working day left", "%(n)s working days left", 7) % {"n": 7} == "7 жұмыс күні қалды"


# --- (d) emails go out in the applicant's language, whatever the page's language ---------------------------


@pytest.mark.parametrize(
    "lang, subject, greeting",
    [
        ("ru", "Подтвердите адрес электронной почты для Ashyq", "Здравствуйте, Aliya!"),
        ("kk", "Ashyq үшін электрондық поштаңызды растаңыз", "Сәлеметсіз бе, Aliya!"),
        ("en", "Confirm your email for Ashyq", "Hello Aliya,"),
    ],
)
def test_the_registration_email_is_in_the_language_the_user_chose(
    client, reference, mailoutbox, django_capture_on_commit_callbacks, lang, subject, greeting
):
    page_language = "kk" if lang != "kk" else "ru"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:signup"),
            {
                "username": "aliya",
                "email": "aliya@example.kz",
                "first_name": "Aliya",
                "last_name": "S",
                "language": lang,
                "password1": "steppe-wind-2026",
                "password2": "steppe-wind-2026",
            },
            headers={"accept-language": page_language},
        )
    assert response.status_code == 200
    assert f'<html lang="{page_language}">' in response.content.decode()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == subject
    assert greeting in mailoutbox[0].body


@pytest.mark.parametrize(
    "lang, subject, phrase",
    [
        ("ru", "Обращение {number} зарегистрировано", "Ваше обращение зарегистрировано и направлено руководителю госоргана"),
        ("kk", "{number} нөмірлі өтініш тіркелді", "Өтінішіңіз тіркеліп,"),
    ],
)
def test_appeal_emails_are_in_the_applicant_s_language(client, people, regions, mailoutbox, run_queue, lang, subject, phrase):
    applicant = people["applicant"]
    User.objects.filter(pk=applicant.pk).update(language=lang)
    applicant.refresh_from_db()
    client.force_login(applicant)
    page_language = "en"
    with run_queue:
        response = client.post(
            reverse("dialogue:new"),
            {
                "body": "anti-corruption-agency",
                "type": "report",
                "subject": "Bribe at the land office",
                "text": "The clerk asked for money.",
                "region": "KZ-75",
            },
            headers={"accept-language": page_language},
        )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    to_applicant = [m for m in mailoutbox if m.to == [applicant.email]]  # the body's staff get theirs in their own language
    assert len(to_applicant) == 1
    email = to_applicant[0]
    assert email.subject == subject.format(number=appeal.number)
    assert phrase in email.body
    assert getattr(appeal.body, f"name_{lang}") in email.body  # the body's name in the same language
    assert appeal.due_on.strftime("%d.%m.%Y") in email.body
