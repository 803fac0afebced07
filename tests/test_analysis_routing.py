""" "Which body should receive this?" while writing an appeal: the form's button (no script), the fragment the
form's script fetches, the API, and a headless Chromium that types an appeal, picks a suggestion and sends it.

A tiny routing model is trained here, through classifier.train and services.save_model, on texts written
for these tests in Russian and Kazakh, labelled with the body that answered them ("@akimat": the local akimat)."""

import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.html import escape

from ashyq.analysis import body_suggestions, classifier, services
from ashyq.analysis.models import Task
from ashyq.dialogue.models import Appeal
from tests.chromium import headless_chromium, needs_chromium

ROUTING_EXAMPLES = {
    "anti-corruption-agency": [
        "Сотрудник полиции потребовал взятку, чтобы не составлять протокол",
        "Чиновник акимата вымогает взятку за разрешение на строительство",
        "Инспектор требовал деньги за подпись акта, это коррупция",
        "За место в детском саду заведующая просит взятку",
        "Полиция қызметкері хаттама толтырмау үшін пара сұрады",
        "Әкімдік шенеунігі құрылысқа рұқсат үшін пара талап етеді",
        "Инспектор актіге қол қою үшін ақша сұрады, бұл сыбайлас жемқорлық",
        "Балабақшадағы орын үшін меңгеруші пара сұрайды",
    ],
    "ministry-of-internal-affairs": [
        "Участковый не принимает заявление о краже велосипеда",
        "Отдел полиции не расследует угон машины уже три месяца",
        "Сотрудник полиции отказался принять заявление о пропаже сына",
        "Патрульная полиция остановила меня без причины и грубила",
        "Полицейские не приехали на вызов о драке во дворе",
        "Учаскелік велосипед ұрлығы туралы арызды қабылдамайды",
        "Полиция көлік ұрлығын үш ай бойы тергемейді",
        "Патрульдік полиция мені себепсіз тоқтатып, дөрекі сөйледі",
        "Полицейлер аулада төбелес туралы шақыруға келмеді",
    ],
    "@akimat": [
        "Во дворе нашего дома третий месяц не горит освещение",
        "Дорогу в микрорайоне не ремонтируют, ямы на каждом шагу",
        "Снег не убирают, к остановке невозможно пройти",
        "Детская площадка во дворе сломана и опасна",
        "Біздің аулада үш ай бойы жарық жанбайды",
        "Шағын аудандағы жол жөнделмейді, әр қадам сайын шұңқыр",
        "Қар тазаланбайды, аялдамаға жету мүмкін емес",
        "Ауладағы балалар алаңы сынған және қауіпті",
    ],
    "ministry-of-healthcare": [
        "В поликлинике нет врачей, запись на месяц вперёд",
        "В больнице отказали в госпитализации ребёнку",
        "Скорая помощь ехала два часа к пожилому отцу",
        "Врач отказался выписать направление на обследование",
        "Емханада дәрігер жоқ, бір айға алдын ала жазылу",
        "Аурухана балаға ауруханаға жатқызудан бас тартты",
        "Жедел жәрдем қарт әкеме екі сағат жүрді",
        "Дәрігер тексеруге жолдама жазудан бас тартты",
    ],
}

SUBJECT = "Взятка на дороге"
TEXT = "Сотрудник полиции потребовал взятку, чтобы не составлять протокол. Прошу разобраться."


def _train_routing():
    texts, labels = [], []
    for label, rows in ROUTING_EXAMPLES.items():
        texts += rows
        labels += [label] * len(rows)
    return services.save_model(Task.ROUTING, classifier.train(texts, labels), trained_on="written for the tests", labels=labels)


@pytest.fixture
def routing_model(reference):
    return _train_routing()


def _form(**changes):
    data = {"type": "report", "subject": SUBJECT, "text": TEXT, "region": "KZ-75", "is_public": "on", "body": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _suggestions(html: str) -> list[str]:
    return re.findall(r'<button name="choose" value="([\w@-]+)"', html)


# --- the form, without script ----------------------------------------------------------------------------


def test_asking_keeps_what_the_applicant_typed_shows_three_bodies_with_reasons_and_sends_nothing(
    client, people, routing_model, bodies
):
    client.force_login(people["applicant"])
    before = _counts()
    response = client.post(reverse("dialogue:new"), _form(action="suggest"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _counts() == before, "asking for suggestions stored something"
    # What was typed is all there.
    assert f'value="{SUBJECT}"' in html
    assert f">\n{escape(TEXT)}</textarea>" in html
    assert '<option value="KZ-75" selected>' in html
    assert '<option value="report" selected>' in html
    assert re.search(r'<input type="checkbox" name="is_public"[^>]*checked', html)
    # Three bodies, the Agency first, each with the applicant's own words and the past appeals they answered.
    slugs = _suggestions(html)
    assert len(slugs) == 3 and slugs[0] == "anti-corruption-agency" and "ministry-of-internal-affairs" in slugs
    first = re.search(r'<li class="suggestion" id="suggestion-anti-corruption-agency">.*?</li>\s*</ul>', html, re.DOTALL)[0]
    assert escape(bodies["anti-corruption-agency"].name_en) in first
    words = re.findall(r"<q>(.*?)</q>", first)
    assert words and all(word in TEXT.lower() for word in words), words
    assert "Learned from 8 past appeals that this body finally answered." in first
    # Shown above the body field, which is still empty: nothing is chosen for the applicant.
    assert html.index('id="body-suggestions"') < html.index('name="body"')
    assert re.search(r'<option value="" selected>', html.split('name="body"', 1)[1])


def test_choosing_a_suggestion_puts_it_in_the_field_and_sending_registers_the_appeal_there(client, people, routing_model):
    client.force_login(people["applicant"])
    chosen = client.post(reverse("dialogue:new"), _form(choose="ministry-of-internal-affairs"))
    html = chosen.content.decode()
    assert chosen.status_code == 200 and not Appeal.objects.exists()
    assert '<option value="ministry-of-internal-affairs" selected>' in html
    assert re.search(r'class="suggestion chosen" id="suggestion-ministry-of-internal-affairs"', html)
    assert f'value="{SUBJECT}"' in html
    sent = client.post(reverse("dialogue:new"), _form(body="ministry-of-internal-affairs"))
    assert sent.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.body.slug == appeal.addressed_body.slug == "ministry-of-internal-affairs"
    assert (appeal.subject, appeal.text) == (SUBJECT, TEXT)


def test_the_akimat_of_the_applicant_s_region_is_suggested_for_local_matters(client, people, routing_model, bodies):
    client.force_login(people["applicant"])
    html = client.post(
        reverse("dialogue:new"),
        _form(
            subject="Освещение",
            text="Во дворе нашего дома уже полгода не горит освещение, дети ходят в темноте",
            region="KZ-75",
            action="suggest",
        ),
    ).content.decode()
    akimat = next(b for b in bodies.values() if b.kind == "akimat" and b.region_id and b.region.iso_code == "KZ-75")
    assert _suggestions(html)[0] == akimat.slug
    assert "past appeals that local akimats finally answered." in html


def test_without_a_model_the_sectors_the_text_names_point_to_bodies_with_the_applicant_s_words(client, people, reference):
    client.force_login(people["applicant"])
    html = client.post(reverse("dialogue:new"), _form(action="suggest")).content.decode()
    slugs = _suggestions(html)
    assert slugs and slugs[0] in ("ministry-of-internal-affairs", "administrative-police-committee", "general-prosecutors-office")
    assert "You write about: Police and public order." in html
    assert "<q>полиции</q>" in html
    assert "past appeals that" not in html  # no model: no count to claim


def test_a_short_text_gets_a_hint_and_no_suggestion(client, people, routing_model):
    client.force_login(people["applicant"])
    html = client.post(reverse("dialogue:new"), _form(subject="", text="Взятка", action="suggest")).content.decode()
    assert "Write at least 20 characters about the matter first" in html and not _suggestions(html)


def test_attached_files_are_not_silently_lost_when_asking(client, people, routing_model):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(people["applicant"])
    html = client.post(
        reverse("dialogue:new"),
        {**_form(action="suggest"), "attachments": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf")},
    ).content.decode()
    assert "The files you attached are not kept when you ask for suggestions" in html


def test_suggestions_are_in_the_page_language(client, people, routing_model, bodies):
    client.force_login(people["applicant"])
    html = client.post(reverse("dialogue:new"), _form(action="suggest"), headers={"accept-language": "ru"}).content.decode()
    assert '<html lang="ru">' in html
    assert escape(bodies["anti-corruption-agency"].name_ru) in html


def test_asking_does_not_use_up_the_limit_on_sending_appeals(client, people, reference, settings):
    client.force_login(people["applicant"])
    for _ in range(25):  # more than the 20 appeals an hour one account may send
        assert client.post(reverse("dialogue:new"), _form(action="suggest")).status_code == 200
    assert client.post(reverse("dialogue:new"), _form(body="anti-corruption-agency")).status_code == 302


def test_asking_has_its_own_limit(client, people, reference, monkeypatch):
    monkeypatch.setattr(body_suggestions, "RATE_PER_USER", "3/h")
    client.force_login(people["applicant"])
    for _ in range(3):
        assert client.post(reverse("dialogue:new"), _form(action="suggest")).status_code == 200
    assert client.post(reverse("dialogue:new"), _form(action="suggest")).status_code == 429
    assert client.post(reverse("analysis_labels:suggest-bodies"), _form()).status_code == 429  # one bucket for both
    assert client.post(reverse("dialogue:new"), _form(body="anti-corruption-agency")).status_code == 302  # sending still works


# --- the fragment for the form's script ------------------------------------------------------------------


def test_the_fragment_shows_the_same_suggestions_and_needs_a_signed_in_post(client, people, routing_model):
    url = reverse("analysis_labels:suggest-bodies")
    anonymous = client.post(url, _form())
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    client.force_login(people["applicant"])
    assert client.get(url).status_code == 405
    before = _counts()
    response = client.post(url, _form(body="ministry-of-internal-affairs"))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert _suggestions(html)[0] == "anti-corruption-agency"
    assert 'class="suggestion chosen" id="suggestion-ministry-of-internal-affairs"' in html
    assert "is chosen in the field below." in html  # what the script announces on choosing
    assert _counts() == before


# --- the API ---------------------------------------------------------------------------------------------


def test_the_api_suggests_three_bodies_without_a_token_and_stores_nothing(client, routing_model):
    before = _counts()
    response = client.post(
        "/api/v1/analysis/suggest-bodies", {"text": f"{SUBJECT}\n{TEXT}", "region": "KZ-75"}, content_type="application/json"
    )
    assert response.status_code == 200
    data = response.json()
    assert len(data) == 3 and data[0]["body"] == "anti-corruption-agency"
    assert set(data[0]) == {"body", "name", "score", "because", "past_answered", "named_sector"}
    assert data[0]["past_answered"] == 8 and 0 < data[0]["score"] <= 1
    assert data[0]["because"] and all(word in TEXT.lower() for word in data[0]["because"])
    assert _counts() == before


def test_the_api_names_bodies_in_the_language_asked(client, routing_model, bodies):
    response = client.post(
        "/api/v1/analysis/suggest-bodies", {"text": TEXT}, content_type="application/json", headers={"accept-language": "kk"}
    )
    assert response.json()[0]["name"] == bodies["anti-corruption-agency"].name_kk


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"text": TEXT, "region": "KZ-00"}, "region"),
        ({"region": "KZ-75"}, "text"),
        ({"text": "x" * 20_000}, "text"),
    ],
)
def test_the_api_refuses_bad_input_clearly(client, routing_model, payload, field):
    response = client.post("/api/v1/analysis/suggest-bodies", payload, content_type="application/json")
    assert response.status_code == 400 and field in response.json()["errors"], response.json()


def test_the_api_gives_no_suggestion_for_a_short_text(client, routing_model):
    response = client.post("/api/v1/analysis/suggest-bodies", {"text": "Взятка"}, content_type="application/json")
    assert response.status_code == 200 and response.json() == []


def test_the_api_is_rate_limited_per_client(client, routing_model):
    statuses = [
        client.post("/api/v1/analysis/suggest-bodies", {"text": TEXT}, content_type="application/json").status_code
        for _ in range(21)
    ]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429
    # Other public reads are not used up by it.
    assert client.get("/api/v1/regions").status_code == 200


# --- in a real browser ------------------------------------------------------------------------------------


@pytest.mark.browser
@needs_chromium
def test_an_applicant_types_an_appeal_gets_suggestions_picks_one_and_sends_it(live_server, people, reference):
    from django.conf import settings
    from django.test import Client
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    _train_routing()
    session = Client()
    session.force_login(people["applicant"])
    with headless_chromium(language="en") as driver:
        driver.get(live_server.url + "/static/ashyq/site.css")
        driver.add_cookie(
            {"name": settings.SESSION_COOKIE_NAME, "value": session.cookies[settings.SESSION_COOKIE_NAME].value, "path": "/"}
        )
        driver.get(live_server.url + "/appeals/new/")

        def find(css):
            return driver.find_element(By.CSS_SELECTOR, css)

        Select(find("#id_type")).select_by_value("report")
        find("#id_subject").send_keys(SUBJECT)
        find("#id_text").send_keys(TEXT)
        Select(find("#id_region")).select_by_value("KZ-75")
        # The script asks after a pause in typing; the suggestions appear in the live region, no reload.
        WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#body-suggestions button[name=choose]"))
        assert find("#body-suggestions").get_attribute("aria-live") == "polite"
        buttons = driver.find_elements(By.CSS_SELECTOR, "#body-suggestions button[name=choose]")
        assert buttons[0].get_attribute("value") == "anti-corruption-agency" and len(buttons) == 3
        assert "Learned from 8 past appeals that this body finally answered." in find("#suggestion-anti-corruption-agency").text
        assert Select(find("#id_body")).first_selected_option.get_attribute("value") == ""  # nothing chosen for them
        _no_serious_accessibility_violations(driver)

        # Keyboard: focus the Agency's button and press Enter; the body field takes it and gets the focus.
        button = find("#suggestion-anti-corruption-agency button[name=choose]")
        driver.execute_script("arguments[0].focus();", button)
        from selenium.webdriver.common.keys import Keys

        button.send_keys(Keys.ENTER)
        WebDriverWait(driver, 5).until(
            lambda d: Select(find("#id_body")).first_selected_option.get_attribute("value") == "anti-corruption-agency"
        )
        assert driver.switch_to.active_element.get_attribute("id") == "id_body"
        assert "is chosen in the field below" in find("#body-chosen-status").get_attribute("textContent")
        assert not Appeal.objects.exists(), "choosing sent the appeal"
        assert find("#id_subject").get_attribute("value") == SUBJECT

        driver.execute_script("window.__oldPage = true;")
        find("main form button[type=submit]").click()
        WebDriverWait(driver, 20).until(
            lambda d: d.execute_script("return !window.__oldPage && document.readyState === 'complete';")
        )
    appeal = Appeal.objects.get()
    assert appeal.body.slug == "anti-corruption-agency" and appeal.text == TEXT


def _no_serious_accessibility_violations(driver):
    """axe-core (as in tests/test_accessibility.py) on the form with its suggestions shown."""
    import json

    from tests.test_accessibility import AXE, FAILING_IMPACTS, TAGS

    if not AXE.exists():
        return  # test_accessibility.py says how to install it and fails in CI without it
    driver.set_script_timeout(60)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = json.loads(
        driver.execute_async_script(
            """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
           .then(r => done(JSON.stringify(r.violations))).catch(e => done(JSON.stringify({error: String(e)})));
        """,
            TAGS,
        )
    )
    assert not isinstance(result, dict), result
    serious = [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in result if v.get("impact") in FAILING_IMPACTS]
    assert not serious, serious


def test_below_the_confidence_threshold_the_form_says_it_is_not_sure(client, people, reference, settings):
    # A model trained on enough rows to hold some out and calibrate its probabilities (classifier.train).
    texts, labels = [], []
    for label, rows in ROUTING_EXAMPLES.items():
        for row in rows:
            texts += [row, f"{row}. Прошу разобраться", f"{row}, көмектесіңіз"]
            labels += [label] * 3
    model = classifier.train(texts, labels)
    assert classifier.is_calibrated(model)
    services.save_model(Task.ROUTING, model, trained_on="written for the tests", labels=labels)
    client.force_login(people["applicant"])
    settings.ASHYQ_ROUTING_MIN_CONFIDENCE = 1.01  # above any probability: the form can never be sure
    html = client.post(reverse("dialogue:new"), _form(action="suggest")).content.decode()
    assert "Not sure: this text does not point clearly to one body." in html and _suggestions(html) == []
    assert 'name="body"' in html  # the applicant chooses in the field below
    settings.ASHYQ_ROUTING_MIN_CONFIDENCE = 0.0
    html = client.post(reverse("dialogue:new"), _form(action="suggest")).content.decode()
    assert "Not sure" not in html and _suggestions(html)[0] == "anti-corruption-agency"


def test_a_small_model_is_not_calibrated_and_never_claims_to_be_unsure(client, people, routing_model, settings):
    settings.ASHYQ_ROUTING_MIN_CONFIDENCE = 1.01  # its scores are relative: no threshold applies
    client.force_login(people["applicant"])
    html = client.post(reverse("dialogue:new"), _form(action="suggest")).content.decode()
    assert len(_suggestions(html)) == 3
