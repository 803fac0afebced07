"""Suggestions of the competent body as an HTML fragment, for the appeal form's script: the same
fragment the form shows after its "Which body should receive this?" button, fetched after typing pauses."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from . import body_suggestions


@login_required
@require_POST
@ratelimit(group=body_suggestions.RATE_GROUP, key="user", rate=body_suggestions.per_user, method="POST", block=True)
@ratelimit(group=body_suggestions.RATE_GROUP, key="ip", rate=body_suggestions.per_address, method="POST", block=True)
def suggest_bodies(request):
    context = body_suggestions.context_for(request.POST, chosen=request.POST.get("body", ""))
    response = render(request, "analysis/_suggestions.html", context)
    # The answer depends on the applicant's text: never kept by a cache on the way.
    response["Cache-Control"] = "no-store"
    return response
