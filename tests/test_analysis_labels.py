"""The content-analysis panel on the appeal page and the labels API: who sees and sets labels, confirming
and correcting append rows with who and when, bad values are refused with nothing appended, and the admin
lets an administrator add causes.

Tiny cause and sector models are trained here, through classifier.train and services.save_model, on texts
written for these tests in Russian and Kazakh."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ashyq.accounts.models import Role
from ashyq.analysis import classifier, services
from ashyq.analysis.models import AppealAnalysis, Cause, ClassifierModel, Label, Source, Task
from ashyq.dialogue import services as dialogue
from tests.public_record_helpers import publish

CAUSE_EXAMPLES = {
    "corruption": [
        "Сотрудник полиции потребовал взятку, чтобы не составлять протокол",
        "Инспектор вымогал деньги за подпись акта приёмки",
        "Участковый сказал, что дело закроют, если я заплачу ему",
        "За место в детском саду заведующая просит деньги",
        "Полиция қызметкері хаттама толтырмау үшін пара сұрады",
        "Инспектор актіге қол қою үшін ақша талап етті",
        "Балабақшадағы орын үшін меңгеруші ақша сұрайды",
        "Учаскелік ақша төлесем істі жабамын деді",
    ],
    "red_tape": [
        "Третий месяц не могу получить справку, каждый раз просят новые документы",
        "Заявление на субсидию лежит без движения полгода",
        "Отправляют из кабинета в кабинет, никто не выдаёт паспорт техники",
        "Очередь на регистрацию участка не двигается уже год",
        "Анықтама алу үшін үш ай бойы жүрмін, әр жолы жаңа құжат сұрайды",
        "Жәрдемақыға берген өтінішім жарты жыл бойы қаралмай жатыр",
        "Бір кабинеттен екіншісіне жібереді, ешкім құжат бермейді",
        "Жер телімін тіркеу кезегі бір жыл бойы жылжымай тұр",
    ],
}

SECTOR_EXAMPLES = {
    "law-enforcement": [
        "Сотрудник полиции потребовал взятку на дороге",
        "Участковый не принимает заявление о краже",
        "Патрульная полиция остановила без причины",
        "Полицейский грубо разговаривал с моей матерью",
        "Полиция қызметкері жолда пара сұрады",
        "Учаскелік ұрлық туралы арызды қабылдамайды",
        "Патрульдік полиция себепсіз тоқтатты",
        "Полицей анама дөрекі сөйледі",
    ],
    "healthcare": [
        "В поликлинике врач требует деньги за направление",
        "В больнице нет лекарств и врачей",
        "Скорая помощь ехала два часа",
        "Врач отказался принять ребёнка без записи",
        "Емханада дәрігер жолдама үшін ақша сұрайды",
        "Ауруханада дәрі де, дәрігер де жоқ",
        "Жедел жәрдем екі сағат жүрді",
        "Дәрігер баланы жазылусыз қабылдамады",
    ],
}

BRIBE_TEXT = "Сотрудник полиции потребовал взятку, чтобы не оформлять протокол на дороге"


def _train(task, examples):
    texts, labels = [], []
    for label, rows in examples.items():
        texts += rows
        labels += [label] * len(rows)
    return services.save_model(task, classifier.train(texts, labels), trained_on="written for the tests", labels=labels)


@pytest.fixture
def models(db):
    return {Task.CAUSE: _train(Task.CAUSE, CAUSE_EXAMPLES), Task.SECTOR: _train(Task.SECTOR, SECTOR_EXAMPLES)}


@pytest.fixture
def appeal(people, submit, models):
    """An appeal about a police bribe at the Anti-Corruption Agency, with the models' suggestions."""
    appeal = submit(people["applicant"], subject="Взятка на дороге", text=BRIBE_TEXT)
    services.classify_appeal(appeal.pk)
    return appeal


@pytest.fixture
def redirected(people, appeal, bodies):
    """The same appeal after the Agency redirected it to the General Prosecutor's Office."""
    dialogue.redirect_appeal(people["official"], appeal, bodies["general-prosecutors-office"], "Supervision of the police.")
    appeal.refresh_from_db()
    return appeal


def _page(client, user, appeal):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("dialogue:detail", args=[appeal.pk]))


def _panel(html: str) -> str:
    match = re.search(r'<section class="analysis" id="content-analysis".*?</section>', html, re.DOTALL)
    return match[0] if match else ""


def _post_label(client, appeal, task, value):
    return client.post(reverse("analysis_labels:set", args=[appeal.pk, task]), {task: value})


# --- who sees the panel and may label ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["official of the holding body", "official of the body that redirected it", "head of the holding body", "admin"]
)
def test_the_bodies_that_handled_the_appeal_see_the_panel_and_may_label(client, people, redirected, who, make_user, bodies):
    user = {
        "official of the holding body": people["other_official"],  # GPO holds it after the redirect
        "official of the body that redirected it": people["official"],  # the Agency
        "head of the holding body": people["other_head"],
        "admin": people["admin"],
    }[who]
    response = _page(client, user, redirected)
    assert response.status_code == 200
    panel = _panel(response.content.decode())
    assert "Content analysis" in panel and 'id="form-label-cause"' in panel and 'id="form-label-sector"' in panel
    assert _post_label(client, redirected, "cause", "red_tape").status_code == 302
    assert Label.objects.filter(appeal=redirected, task="cause", source=Source.PERSON, set_by=user).count() == 1


def test_a_moderator_sees_the_panel_of_a_published_appeal_and_may_label(client, people, appeal):
    publish(appeal, "Взятка на дороге", BRIBE_TEXT)
    response = _page(client, people["moderator"], appeal)
    assert "Content analysis" in _panel(response.content.decode())
    assert _post_label(client, appeal, "sector", "healthcare").status_code == 302
    assert Label.objects.get(appeal=appeal, source=Source.PERSON).set_by == people["moderator"]


@pytest.mark.parametrize("who", ["applicant", "official of another body", "monitor", "public"])
def test_others_never_see_the_panel_and_are_refused(client, people, appeal, make_user, bodies, who):
    publish(appeal, "Взятка на дороге", BRIBE_TEXT)  # so that all of them can open the page itself
    user = {
        "applicant": people["applicant"],
        "official of another body": make_user(Role.OFFICIAL, bodies["ministry-of-healthcare"]),
        "monitor": people["monitor"],
        "public": None,
    }[who]
    response = _page(client, user, appeal)
    assert response.status_code == 200
    html = response.content.decode()
    assert "content-analysis" not in html and "Content analysis" not in html
    before = Label.objects.count()
    refused = _post_label(client, appeal, "cause", "red_tape")
    if user is None:
        assert refused.status_code == 302 and refused["Location"].startswith("/accounts/login/")
    else:
        assert refused.status_code == 403
    assert Label.objects.count() == before


def test_another_body_cannot_reach_a_private_appeal_to_label_it(client, people, appeal):
    client.force_login(people["other_official"])  # GPO: never held this appeal
    assert _post_label(client, appeal, "cause", "red_tape").status_code == 404
    assert not Label.objects.filter(source=Source.PERSON).exists()


# --- what the panel shows, confirming and correcting -------------------------------------------------------


def test_the_panel_shows_the_model_s_suggestion_with_its_score_model_and_date(client, people, appeal, models):
    panel = _panel(_page(client, people["official"], appeal).content.decode())
    cause = Label.objects.get(appeal=appeal, task="cause")
    assert cause.source == Source.MODEL and cause.value == "corruption"
    current = re.search(r'id="analysis-current-cause">(.*?)</dd>', panel, re.DOTALL)[1]
    assert "Encounter with corruption" in current
    assert "suggested by the model" in current
    assert f"relative score {cause.score:.2f}" in current
    # The page shows dates in the site's time zone (Asia/Almaty), which is a day ahead of UTC in the evening.
    assert f"model #{models[Task.CAUSE].pk} of {timezone.localtime(models[Task.CAUSE].created_at):%d.%m.%Y}" in current
    assert "Police and public order" in re.search(r'id="analysis-current-sector">(.*?)</dd>', panel, re.DOTALL)[1]
    assert "Russian" in re.search(r'id="analysis-language">(.*?)</dd>', panel, re.DOTALL)[1]
    assert 'id="form-confirm-cause"' in panel and 'id="form-confirm-sector"' in panel
    # The selects list the causes and sectors by their names in the page's language.
    assert re.search(r'<option value="red_tape">Red tape</option>', panel)
    assert re.search(r'<option value="healthcare">Healthcare and hospitals</option>', panel)
    assert re.search(r'<option value="corruption" selected>Encounter with corruption</option>', panel)


def test_confirm_and_correct_append_rows_with_who_and_when_and_the_page_shows_the_history(client, people, appeal):
    official = people["official"]
    official.first_name, official.last_name = "Aigerim", "Sadykova"
    official.save()
    client.force_login(official)
    suggested = list(Label.objects.filter(appeal=appeal).order_by("pk"))
    assert [lab.source for lab in suggested] == [Source.MODEL, Source.MODEL]

    # Confirm the cause as suggested (the confirm form posts the suggestion itself).
    response = client.post(reverse("analysis_labels:set", args=[appeal.pk, "cause"]), {"cause": "corruption"}, follow=True)
    assert "The cause is saved." in response.content.decode()
    # Correct the sector.
    assert _post_label(client, appeal, "sector", "healthcare").status_code == 302

    rows = list(Label.objects.filter(appeal=appeal).order_by("pk"))
    assert len(rows) == 4 and rows[:2] == suggested  # appended; the model's rows are kept unchanged
    confirmed, corrected = rows[2], rows[3]
    assert (confirmed.task, confirmed.value, confirmed.source, confirmed.set_by) == (
        "cause",
        "corruption",
        Source.PERSON,
        official,
    )
    assert (corrected.task, corrected.value, corrected.source, corrected.set_by) == (
        "sector",
        "healthcare",
        Source.PERSON,
        official,
    )
    assert confirmed.set_at <= corrected.set_at

    panel = _panel(client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode())
    current_cause = re.search(r'id="analysis-current-cause">(.*?)</dd>', panel, re.DOTALL)[1]
    assert "Encounter with corruption" in current_cause and "set by Aigerim Sadykova" in current_cause
    assert confirmed.set_at.astimezone().strftime("%d.%m.%Y") in current_cause
    assert "Healthcare and hospitals" in re.search(r'id="analysis-current-sector">(.*?)</dd>', panel, re.DOTALL)[1]
    assert 'id="form-confirm-cause"' not in panel  # nothing left to confirm
    history = re.findall(
        r'<tr class="label-(\w+)">(.*?)</tr>', re.search(r'id="analysis-history".*?</table>', panel, re.DOTALL)[0], re.DOTALL
    )
    assert [source for source, _ in history] == ["person", "person", "model", "model"]  # newest first
    assert "Healthcare and hospitals" in history[0][1] and "Aigerim Sadykova" in history[0][1]
    assert "Encounter with corruption" in history[1][1]
    assert "Police and public order" in history[2][1] + history[3][1]
    # The reports' rows follow the person's labels.
    row = AppealAnalysis.objects.get(appeal=appeal)
    assert (row.cause, row.cause_confirmed, row.sector, row.sector_confirmed) == ("corruption", True, "healthcare", True)


def test_the_panel_says_how_each_body_handled_the_appeal(client, people, redirected, bodies):
    services.classify_appeal(redirected.pk)  # rebuilds the rows as the commit hook does
    panel = _panel(_page(client, people["other_official"], redirected).content.decode())
    table = re.search(r'id="analysis-handling".*?</table>', panel, re.DOTALL)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table, re.DOTALL)
    acc, gpo = (escape(bodies[slug].name_en) for slug in ("anti-corruption-agency", "general-prosecutors-office"))
    assert [(a.strip(), b.strip(), c.strip()) for a, b, c in rows] == [(acc, "redirected", gpo), (gpo, "not answered yet", "—")]


def test_people_outside_the_case_see_the_role_of_who_labelled_not_the_name(client, people, appeal):
    official = people["official"]
    official.first_name, official.last_name = "Aigerim", "Sadykova"
    official.save()
    services.set_label(official, appeal, "cause", "red_tape")
    publish(appeal, "Взятка на дороге", BRIBE_TEXT)
    panel = _panel(_page(client, people["moderator"], appeal).content.decode())
    assert "Sadykova" not in panel and "set by official" in panel


@pytest.mark.parametrize(
    "task, value, message",
    [
        ("cause", "no-such-cause", "Choose one of the listed values."),
        ("cause", "<script>alert(1)</script>", "Choose one of the listed values."),
        ("sector", "corruption-of-everything", "Choose one of the listed values."),
        ("cause", "", "This field is required."),
    ],
)
def test_a_bad_value_is_an_error_on_the_form_and_nothing_is_appended(client, people, appeal, task, value, message):
    client.force_login(people["official"])
    before = list(Label.objects.values_list("pk", flat=True))
    response = _post_label(client, appeal, task, value)
    assert response.status_code == 400
    html = response.content.decode()
    form = re.search(rf'<form [^>]*id="form-label-{task}".*?</form>', html, re.DOTALL)[0]
    assert message in form and 'class="errors" role="alert"' in form
    assert "<script>alert(1)</script>" not in html
    assert list(Label.objects.values_list("pk", flat=True)) == before


def test_a_retired_cause_can_no_longer_be_chosen(client, people, appeal):
    Cause.objects.filter(slug="red_tape").update(active=False)
    client.force_login(people["official"])
    response = _post_label(client, appeal, "cause", "red_tape")
    assert response.status_code == 400 and not Label.objects.filter(source=Source.PERSON).exists()
    assert 'value="red_tape"' not in _panel(response.content.decode())


def test_an_unknown_task_is_404(client, people, appeal):
    client.force_login(people["official"])
    assert _post_label(client, appeal, "routing", "anti-corruption-agency").status_code == 404
    assert client.get(reverse("analysis_labels:set", args=[appeal.pk, "cause"])).status_code == 405


def test_the_label_forms_need_the_csrf_token(people, appeal):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people["official"])
    page = strict.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
    refused = strict.post(reverse("analysis_labels:set", args=[appeal.pk, "cause"]), {"cause": "red_tape"})
    assert refused.status_code == 403 and b"CSRF verification failed" in refused.content
    token = re.search(r'id="form-label-cause".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.DOTALL)[1]
    accepted = strict.post(
        reverse("analysis_labels:set", args=[appeal.pk, "cause"]), {"cause": "red_tape", "csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    assert Label.objects.filter(source=Source.PERSON).count() == 1


# --- the API ----------------------------------------------------------------------------------------------


def _api(client, method, path, token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return getattr(client, method)(f"/api/v1{path}", headers=headers, content_type="application/json", **kwargs)


def test_the_api_lists_the_labels_for_those_who_may_label(client, people, token_for, appeal, models):
    response = _api(client, "get", f"/appeals/{appeal.number}/labels", token_for(people["official"]))
    assert response.status_code == 200
    data = response.json()
    assert data["appeal"] == appeal.number and data["language"] == "ru"
    assert data["cause"]["value"] == "corruption" and data["cause"]["source"] == "model"
    assert data["cause"]["model"] == models[Task.CAUSE].pk and 0 < data["cause"]["score"] <= 1
    assert data["sector"]["value"] == "law-enforcement" and data["sector"]["name"] == "Police and public order"
    assert [h["task"] for h in data["history"]] and all(h["source"] == "model" for h in data["history"])
    assert data["handling"] == [{"body": "anti-corruption-agency", "handling": "pending", "redirected_to": None, "final": True}]


def test_the_api_sets_a_label_and_refuses_bad_values_without_appending(client, people, token_for, appeal):
    token = token_for(people["head"])
    response = _api(client, "post", f"/appeals/{appeal.number}/labels", token, data={"task": "cause", "value": "red_tape"})
    assert response.status_code == 201
    data = response.json()
    assert data["cause"]["value"] == "red_tape" and data["cause"]["source"] == "person"
    assert data["cause"]["set_by"] == people["head"].display_name
    assert data["history"][0]["value"] == "red_tape"
    count = Label.objects.count()
    for payload, field in (
        ({"task": "cause", "value": "nonsense"}, "cause"),
        ({"task": "routing", "value": "x"}, "task"),
        ({"task": "sector"}, "value"),
    ):
        refused = _api(client, "post", f"/appeals/{appeal.number}/labels", token, data=payload)
        assert refused.status_code == 400 and field in refused.json()["errors"], refused.json()
    assert Label.objects.count() == count


def test_the_api_refuses_others(client, people, token_for, appeal, make_user, bodies):
    path = f"/appeals/{appeal.number}/labels"
    assert _api(client, "get", path).status_code == 401
    assert _api(client, "post", path, data={"task": "cause", "value": "red_tape"}).status_code == 401
    assert _api(client, "get", path, token_for(people["applicant"])).status_code == 403
    assert (
        _api(client, "post", path, token_for(people["applicant"]), data={"task": "cause", "value": "red_tape"}).status_code == 403
    )
    assert _api(client, "get", path, token_for(people["other_official"])).status_code == 404  # a private appeal it never held
    assert _api(client, "get", path, token_for(people["monitor"])).status_code == 403
    assert _api(client, "get", "/appeals/2099-999999/labels", token_for(people["official"])).status_code == 404
    assert not Label.objects.filter(source=Source.PERSON).exists()


def test_the_api_lists_the_causes(client, db):
    response = client.get("/api/v1/analysis/causes")
    assert response.status_code == 200
    slugs = [c["slug"] for c in response.json()]
    assert slugs[:3] == ["corruption", "poor_work", "red_tape"] and len(slugs) == 9


# --- the admin --------------------------------------------------------------------------------------------


def test_an_admin_adds_a_cause_and_officials_can_then_choose_it(client, people, appeal):
    client.force_login(people["admin"])
    response = client.post(
        reverse("admin:analysis_cause_add"),
        {
            "slug": "ecology",
            "name_en": "Ecology",
            "name_ru": "Экология",
            "name_kk": "Экология",
            "description": "",
            "position": 20,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Cause.objects.get(slug="ecology").name_ru == "Экология"
    official = Client()
    official.force_login(people["official"])
    assert '<option value="ecology">Ecology</option>' in _panel(
        official.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
    )
    assert _post_label(official, appeal, "cause", "ecology").status_code == 302


def test_labels_and_models_are_read_only_in_the_admin_and_the_model_blob_is_not_shown(client, people, appeal, models):
    client.force_login(people["admin"])
    label = Label.objects.filter(appeal=appeal).first()
    assert client.get(reverse("admin:analysis_label_changelist")).status_code == 200
    page = client.get(reverse("admin:analysis_label_change", args=[label.pk]))
    assert page.status_code == 200 and 'name="value"' not in page.content.decode()
    assert client.get(reverse("admin:analysis_label_add")).status_code == 403
    assert client.post(reverse("admin:analysis_label_delete", args=[label.pk]), {"post": "yes"}).status_code == 403
    model = models[Task.CAUSE]
    page = client.get(reverse("admin:analysis_classifiermodel_change", args=[model.pk]))
    assert page.status_code == 200
    assert "blob" not in page.content.decode().lower()
    assert client.get(reverse("admin:analysis_classifiermodel_add")).status_code == 403
    assert Label.objects.filter(pk=label.pk).exists() and ClassifierModel.objects.filter(pk=model.pk).exists()
