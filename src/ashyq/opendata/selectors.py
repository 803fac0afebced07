"""Reads of open data: what the public sees (every dataset not withdrawn, its resources not withdrawn, and of each the
valid versions not withdrawn: `served()`)."""

from ashyq.bodies.models import Body
from ashyq.core.roles import BODY_ROLES, Role

from . import search
from .models import Dataset, Resource


def public_resources():
    return Resource.objects.active()


def datasets():
    """The datasets the public reads, each with its resources not withdrawn (`dataset.resources.all()`)."""
    from django.db.models import Prefetch

    return Dataset.objects.active().select_related("body").prefetch_related(Prefetch("resources", queryset=public_resources()))


def dataset_page(slug):
    """A dataset for its page, withdrawn or not (a withdrawn one is shown as a tombstone); None if there is none."""
    return Dataset.objects.select_related("body", "withdrawal").filter(slug=slug).first()


def search_datasets(q="", organization=None, tags=(), res_format=None):
    """The catalogue's search: the same indexed search as the CKAN API's package_search (search.py), over the
    datasets the public may see."""
    return search.search_datasets(q, organization, tags, res_format, qs=datasets())


def resource(pk):
    """A resource the public may read (neither it nor its dataset withdrawn), or None."""
    return Resource.objects.active().select_related("dataset__body").filter(pk=pk, dataset__withdrawal__isnull=True).first()


def publishes_data(user) -> bool:
    """Officials and heads publish their body's data, administrators any body's (the templates' `can.publish_data`)."""
    if user is None or not user.is_authenticated:
        return False
    return user.role == Role.ADMIN or (user.role in BODY_ROLES and bool(user.body_id))


def publisher_bodies(user):
    """The bodies whose data the user may publish: their own for an official or head, every body for an administrator."""
    if not publishes_data(user):
        return Body.objects.none()
    if user.role == Role.ADMIN:
        return Body.objects.order_by("name_en")
    return Body.objects.filter(pk=user.body_id)


def datasets_of_bodies(bodies):
    """A publisher's datasets with their resources and every version's number and validity (not the reports): enough
    for the quality checklist and the list of what to fix without a query per resource. Withdrawn datasets are
    listed too, after the others of their body, with their withdrawal, and so are the resources withdrawn alone
    (`withdrawn_resources`): a publisher must find what their body withdrew (the public lists leave them out)."""
    from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q

    from .models import ResourceVersion

    versions = ResourceVersion.objects.only(
        "id", "resource_id", "number", "valid", "withdrawal_id", "created_at", "row_count"
    ).order_by("-number")
    withdrawn = ExpressionWrapper(Q(withdrawal__isnull=False), output_field=BooleanField())
    return (
        Dataset.objects.filter(body__in=bodies)
        .select_related("body", "withdrawal")
        .alias(withdrawn=withdrawn)
        .order_by("body__name_en", "withdrawn", "title_en")
        .prefetch_related(
            Prefetch("resources", queryset=Resource.objects.active().order_by("position", "created_at")),
            Prefetch("resources__versions", queryset=versions),
            # A resource withdrawn alone stays in the publisher's list, marked; it counts in no checklist.
            Prefetch(
                "resources",
                queryset=Resource.objects.filter(withdrawal__isnull=False, dataset__withdrawal__isnull=True)
                .select_related("withdrawal")
                .order_by("position", "created_at"),
                to_attr="withdrawn_resources",
            ),
        )
    )
