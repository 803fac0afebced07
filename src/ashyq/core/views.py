from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache


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


@never_cache
def switch_language(request):
    """The language switcher of every page. A GET from the switcher's form sets the language cookie and goes back to
    the page: the form needs no CSRF token, so the public pages that carry it can be shared from the cache
    (core/pagecache.py). A language is a preference, not a change of anyone's data: a link that switches it
    harms nothing. A POST is Django's own set_language (CSRF-checked), as before."""
    if request.method == "POST":
        return i18n.set_language(request)
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    language = request.GET.get("language", "")
    if language and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response
