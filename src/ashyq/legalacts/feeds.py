"""Atom feed of a body's discussion processes: journalists and civil society follow new drafts without visiting."""

from django.http import HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from . import selectors

FEED_SIZE = 50


def body_feed(request, body):
    feed = Atom1Feed(
        title=_("Drafts for public discussion: %(body)s") % {"body": body.name},
        link=request.build_absolute_uri(reverse("body", args=[body.slug])),
        description=_("New drafts of legal acts put to public discussion by this body."),
        language=(request.LANGUAGE_CODE or "kk")[:2],
        feed_url=request.build_absolute_uri(),
    )
    processes = selectors.public_processes().filter(body=body).order_by("-published_at", "-pk")[:FEED_SIZE]
    for process in processes:
        url = request.build_absolute_uri(reverse("legalacts:process", args=[process.pk]))
        feed.add_item(
            title=process.title,
            link=url,
            unique_id=url,
            pubdate=process.published_at,
            description=_("%(type)s. Comments from %(opens)s to %(closes)s.")
            % {
                "type": process.get_act_type_display(),
                "opens": process.opens_on.strftime("%d.%m.%Y"),
                "closes": process.closes_on.strftime("%d.%m.%Y"),
            },
        )
    return HttpResponse(feed.writeString("utf-8"), content_type="application/atom+xml; charset=utf-8")
