"""Nothing served to a signed-in person, and no API answer to a token, may be kept by a shared cache or the browser:
`Cache-Control: private, no-store`. Anonymous public pages are left cacheable."""

import pytest
from django.urls import reverse


def private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


@pytest.mark.parametrize(
    "role, page",
    [
        ("applicant", "dialogue:mine"),
        ("applicant", "accounts:account"),
        ("official", "dialogue:inbox"),
        ("monitor", "dialogue:overdue"),
        ("moderator", "moderation:queue"),
        ("applicant", "home"),
    ],
)
def test_every_page_to_a_signed_in_person_is_private_and_not_stored(client, people, role, page):
    client.force_login(people[role])
    response = client.get(reverse(page))
    assert response.status_code == 200
    assert private(response), response.get("Cache-Control")


def test_the_appeal_page_and_its_errors_too(client, people, submit):
    appeal = submit(people["applicant"])
    client.force_login(people["applicant"])
    assert private(client.get(reverse("dialogue:detail", args=[appeal.pk])))
    assert private(client.get(reverse("dialogue:detail", args=[appeal.pk + 1000])))  # a 404 page
    assert private(client.get(reverse("dialogue:public"), {"q": "x\x00"}))  # refused early by the input guard


def test_api_answers_to_a_token_are_private(client, people, submit, token_for):
    appeal = submit(people["applicant"])
    response = client.get(f"/api/v1/appeals/{appeal.pk}", HTTP_AUTHORIZATION=f"Bearer {token_for(people['applicant'])}")
    assert response.status_code == 200 and private(response)
    created = client.post(
        "/api/v1/appeals", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token_for(people['applicant'])}"
    )
    assert private(created)


def test_anonymous_public_pages_stay_cacheable(client, reference):
    for path in (reverse("home"), reverse("dialogue:public"), "/api/v1/bodies", "/open311/v2/services.json"):
        response = client.get(path)
        assert response.status_code == 200 and "private" not in response.get("Cache-Control", ""), path
