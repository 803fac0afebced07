"""One definition of "published": the filter every public path uses (Appeal.objects.published(), published_q) and
the property the pages and services ask of one appeal (Appeal.is_published) say the same for every state."""

import itertools

import pytest
from django.utils import timezone

from ashyq.dialogue import presenters, selectors
from ashyq.dialogue.models import Appeal, published_q

pytestmark = pytest.mark.django_db


def test_the_filter_and_the_property_agree_in_every_state(people, submit):
    now = timezone.now()
    made = {}
    for is_public, published, hidden in itertools.product((False, True), repeat=3):
        appeal = submit(people["applicant"], is_public=is_public)
        Appeal.objects.filter(pk=appeal.pk).update(published_at=now if published else None, hidden_at=now if hidden else None)
        made[appeal.pk] = (is_public, published, hidden)
    listed = set(Appeal.objects.published().values_list("pk", flat=True))
    # Only a public appeal approved by a moderator and not hidden after reports is published.
    assert listed == {pk for pk, state in made.items() if state == (True, True, False)}
    assert set(selectors.public_appeals().values_list("pk", flat=True)) == listed
    assert set(Appeal.objects.filter(published_q()).values_list("pk", flat=True)) == listed
    for appeal in Appeal.objects.filter(pk__in=made):
        assert appeal.is_published == (appeal.pk in listed), made[appeal.pk]
        assert (presenters.publication_state(appeal) == "published") == (appeal.pk in listed), made[appeal.pk]
