from django.shortcuts import render
from django.utils.translation import gettext as _


def rate_limited(request, exception=None):
    return render(
        request,
        "core/error.html",
        {
            "title": _("Too many requests"),
            "message": _("You have made too many requests. Please wait a few minutes and try again."),
        },
        status=429,
    )
