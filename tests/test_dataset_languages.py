"""A dataset is described in Kazakh or Russian (at least one), English being optional; pages and the CKAN API fall
back through the languages instead of showing an empty title. The CKAN actions harvesters call beside
package_search: tag_list, group_list and organization_list with all_fields."""

import ckanapi
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from ashyq.accounts.models import Role
from ashyq.opendata import services
from ashyq.opendata.models import Dataset

MTI = "ministry-of-trade-and-integration"


@pytest.fixture
def official(make_user, bodies):
    return make_user(Role.OFFICIAL, bodies[MTI], username="mti-official")


def ckan(client, action, **params):
    response = client.get(reverse("ckan-action", args=[action]), params)
    assert response.status_code == 200, response.content
    return response.json()["result"]


def test_a_dataset_with_only_a_russian_title_is_created_from_the_form(client, official):
    client.force_login(official)
    response = client.post(
        reverse("opendata:dataset-new"),
        {
            "title_ru": "Экспорт по странам, 2024",
            "description_ru": "Экспорт Казахстана по странам-партнёрам за 2024 год.",
            "confirmed": "yes",
        },
    )
    assert response.status_code == 302, response.content.decode()
    dataset = Dataset.objects.get()
    # The identifier is made from the Russian title, in Latin letters.
    assert dataset.slug == "eksport-po-stranam-2024" and dataset.title_en == ""


def test_a_title_in_english_only_is_refused_with_a_message_and_nothing_is_saved(client, official):
    client.force_login(official)
    response = client.post(reverse("opendata:dataset-new"), {"title_en": "Exports by country", "description_en": "Kept."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the title in Kazakh or in Russian" in page and 'href="#id_title_kk"' in page
    assert 'value="Exports by country"' in page and "Kept." in page  # what was typed comes back
    assert not Dataset.objects.exists()


def test_the_service_refuses_a_dataset_without_a_kazakh_or_russian_title(official):
    with pytest.raises(ValidationError) as refused:
        services.create_dataset(official, official.body, "exports", title_en="Exports")
    assert "title_kk" in refused.value.message_dict
    assert not Dataset.objects.exists()


def test_pages_fall_back_through_the_languages(client, official):
    dataset = services.create_dataset(
        official, official.body, "eksport", title_kk="Экспорт, 2024", description_ru="Экспорт по странам-партнёрам."
    )
    for language in ("kk", "ru", "en"):
        with translation.override(language):
            assert dataset.title == "Экспорт, 2024" and dataset.description == "Экспорт по странам-партнёрам."
        page = client.get(reverse("opendata:dataset", args=["eksport"]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "<h1>Экспорт, 2024</h1>" in page


def test_ckan_title_and_notes_fall_back_and_list_every_translation(client, official):
    services.create_dataset(official, official.body, "eksport", title_ru="Экспорт", description_kk="Сауда туралы деректер.")
    package = ckan(client, "package_show", id="eksport")
    assert package["title"] == "Экспорт" and package["notes"] == "Сауда туралы деректер."
    assert package["title_translated"] == {"ru": "Экспорт"} and package["notes_translated"] == {"kk": "Сауда туралы деректер."}
    assert ckan(client, "package_search", q="eksport")["results"][0]["title"] == "Экспорт"


def test_tag_list_group_list_and_organization_list_answer_as_ckan_does(client, official, bodies):
    services.create_dataset(official, official.body, "a", title_ru="А", tags=["trade", "exports"])
    services.create_dataset(official, official.body, "b", title_ru="Б", tags=["trade", "Customs"])
    assert ckan(client, "tag_list") == ["Customs", "exports", "trade"]
    assert ckan(client, "tag_list", query="port") == ["exports"]
    assert ckan(client, "tag_list", all_fields="true")[0] == {
        "id": "Customs",
        "name": "Customs",
        "display_name": "Customs",
        "vocabulary_id": None,
    }
    assert ckan(client, "group_list") == [] and ckan(client, "group_list", all_fields="true") == []
    assert ckan(client, "organization_list") == [MTI]
    organizations = ckan(client, "organization_list", all_fields="true")
    assert [(o["name"], o["package_count"], o["is_organization"]) for o in organizations] == [(MTI, 2, True)]
    assert ckan(client, "organization_list", limit=0) == []
    response = client.get(reverse("ckan-action", args=["organization_list"]), {"sort": "nonsense asc"})
    assert response.status_code == 409 and response.json()["success"] is False


@pytest.mark.django_db(transaction=True)
def test_a_harvester_calls_the_lists_through_ckanapi(live_server, make_user, bodies):
    official = make_user(Role.OFFICIAL, bodies[MTI], username="mti-harvest")
    services.create_dataset(official, official.body, "a", title_kk="Сауда", tags=["trade"])
    remote = ckanapi.RemoteCKAN(live_server.url)
    assert remote.action.tag_list() == ["trade"]
    assert remote.action.group_list(all_fields=True) == []
    assert remote.action.organization_list(all_fields=True)[0]["package_count"] == 1
    assert remote.action.package_show(id="a")["title"] == "Сауда"


@pytest.mark.parametrize("query", ["торговля", "торговли", "торговлей", "Торговлю"])
def test_package_search_finds_russian_word_forms(client, official, query):
    services.create_dataset(official, official.body, "trade", title_ru="Статистика внешней торговли", tags=["trade"])
    services.create_dataset(official, official.body, "budget", title_ru="Исполнение бюджета")
    assert [p["name"] for p in ckan(client, "package_search", q=query)["results"]] == ["trade"]
