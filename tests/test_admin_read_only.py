"""Rows that change only through their app's services (which check who acts and keep the record) are read-only in
Django's admin, even to a superuser: adding, changing or deleting one there would bypass both."""

import pytest
from django.contrib import admin
from django.test import Client

from ashyq.accounts.models import PurgeRun
from ashyq.blogs.models import Conference, Delegation, Post
from ashyq.dialogue.models import Answer, Appeal, AppealEvent
from ashyq.opendata.models import Dataset, ResourceVersion, Withdrawal

READ_ONLY = [Appeal, AppealEvent, Answer, Post, Conference, Delegation, PurgeRun, ResourceVersion, Withdrawal]


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
def test_a_superuser_can_read_but_not_add_change_or_delete(model, people):
    browser = Client()
    browser.force_login(people["admin"])
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    assert browser.get(base).status_code == 200  # the list: administrators read them
    assert browser.get(base + "add/").status_code == 403
    model_admin = admin.site._registry[model]
    request = type("Request", (), {"user": people["admin"]})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request) and not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def test_a_dataset_leaves_the_public_record_only_by_a_withdrawal_not_by_the_admin(people):
    """A dataset's description may be corrected in the admin, but deleting it (or a resource) there would drop its
    versions without a tombstone and leave their files and datastore tables behind."""
    model_admin = admin.site._registry[Dataset]
    request = type("Request", (), {"user": people["admin"]})()
    assert model_admin.has_change_permission(request) and not model_admin.has_delete_permission(request)
    (resources,) = [inline for inline in model_admin.get_inline_instances(request) if inline.model.__name__ == "Resource"]
    assert not resources.has_delete_permission(request)
