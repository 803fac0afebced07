"""Reads of open data: what the public sees (every dataset; only valid versions of resources)."""
from django.db.models import Q

from .models import Dataset, Resource


def datasets():
    return Dataset.objects.select_related("body").prefetch_related("resources")


def search_datasets(q="", organization=None, tags=(), res_format=None):
    qs = datasets()
    if q:
        qs = qs.filter(Q(title_en__icontains=q) | Q(title_ru__icontains=q) | Q(title_kk__icontains=q)
                       | Q(description_en__icontains=q) | Q(slug__icontains=q) | Q(source__icontains=q))
    if organization:
        qs = qs.filter(body__slug=organization)
    for tag in tags:
        qs = qs.filter(tags__contains=[tag]) if _json_contains() else qs.filter(tags__icontains=f'"{tag}"')
    if res_format:
        qs = qs.filter(resources__format__iexact=res_format).distinct()
    return qs


def _json_contains() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def resource(pk):
    return Resource.objects.select_related("dataset__body").filter(pk=pk).first()
