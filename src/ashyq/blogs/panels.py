"""The blog's panel on a body's page and the sitemap's paths (registered in apps.py through core's registry)."""

from django.template.loader import render_to_string
from django.urls import reverse

from ashyq.core import clock

from . import selectors


def body_panel(request, body=None, **_):
    if body is None:
        return ""
    posts = list(selectors.public_posts().filter(body=body)[:3])
    upcoming = list(
        selectors.public_conferences()
        .filter(body=body, starts_at__gte=clock.now(), cancelled_at__isnull=True)
        .order_by("starts_at")[:3]
    )
    if not posts and not upcoming:
        return ""
    return render_to_string("blogs/_body_panel.html", {"body": body, "posts": posts, "upcoming": upcoming}, request=request)


def sitemap_paths():
    yield reverse("blogs:index")
    for pk in selectors.public_posts().values_list("pk", flat=True):
        yield reverse("blogs:post", args=[pk])
    for pk in selectors.public_conferences().values_list("pk", flat=True):
        yield reverse("blogs:conference", args=[pk])
