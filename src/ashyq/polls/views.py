"""Pages of polls: the list, a poll (its ballot, or what level a voter needs, or its results once closed), the
results as CSV, the new-poll form and the early close. Views parse forms and call services and selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from ashyq.core import charts, clock, csv_safe, identity
from ashyq.core.forms import run_service

from . import permissions, selectors, services
from .forms import BallotForm, PollForm
from .models import Poll


@require_GET
def poll_list(request):
    return render(request, "polls/list.html", selectors.polls_by_state())


def _level_needed(user, poll) -> dict | None:
    """What the person lacks to vote in this poll, said before the ballot (with the way to the level)."""
    current = identity.level_of(user)
    if current >= poll.min_level:
        return None
    return {"step": identity.Step(identity.Step.VOTE), "level": identity.Level(poll.min_level), "current": current}


def _results_context(poll, rows) -> dict:
    for i, row in enumerate(rows, start=1):
        row["title_id"] = f"q{i}-results"
        row["chart"] = charts.bars(
            [(c["text"], c["share"], None, None) for c in row["choices"]], title_id=row["title_id"], percent=True
        )
    return {"results": rows}


def poll_detail(request, pk, ballot_form=None, status=200):
    poll = get_object_or_404(Poll.objects.select_related("body"), pk=pk)
    now = clock.now()
    state = poll.state(now)
    context = {"poll": poll, "state": state, "can_manage": permissions.can_manage(request.user, poll), "now": now}
    if state == "closed":
        context.update(_results_context(poll, selectors.results(poll, now)))
    elif request.user.is_authenticated:
        context["voted"] = selectors.has_voted(request.user, poll)
        context["needs"] = _level_needed(request.user, poll)
        if state == "open" and not context["voted"] and not context["needs"]:
            context["ballot"] = ballot_form or BallotForm(poll)
    return render(request, "polls/detail.html", context, status=status)


@login_required
@require_POST
@ratelimit(key="user", rate="30/h", method="POST", block=True)
@ratelimit(key="ip", rate="120/h", method="POST", block=True)
def vote(request, pk):
    poll = get_object_or_404(Poll, pk=pk)
    form = BallotForm(poll, request.POST)
    ran = run_service(
        request,
        form,
        lambda data: services.vote(request.user, poll, form.answers()),
        _("Your ballot is counted. The results are shown when the poll closes."),
    )
    if ran.done or ran.conflict:
        return redirect("polls:detail", pk=poll.pk)
    return poll_detail(request, pk, ballot_form=form, status=400)


@login_required
@ratelimit(key="user", rate="20/h", method="POST", block=True)
def new_poll(request):
    if not permissions.can_open_polls(request.user):
        raise PermissionDenied
    form = PollForm(request.POST or None)
    if request.method == "POST":
        ran = run_service(
            request,
            form,
            lambda data: services.open_poll(
                request.user,
                title=data["title"],
                description=data["description"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                min_level=data["min_level"],
                questions=form.questions(),
            ),
            _("The poll is published."),
        )
        if ran.done:
            return redirect("polls:detail", pk=ran.result.pk)
    return render(request, "polls/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def close(request, pk):
    poll = get_object_or_404(Poll, pk=pk)
    if not permissions.can_manage(request.user, poll):
        raise PermissionDenied
    try:
        services.close_poll(request.user, poll, confirmed=request.POST.get("confirmed") == "yes")
    except services.ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The poll is closed; its results are public."))
    return redirect("polls:detail", pk=poll.pk)


CSV_HEADER = ["question_position", "question", "kind", "answered", "choice_position", "choice", "votes", "share_of_answered"]


@require_GET
def results_csv(request, pk):
    poll = get_object_or_404(Poll, pk=pk)
    rows = selectors.results(poll)
    if rows is None:
        return render(
            request,
            "core/error.html",
            {
                "title": _("Results are hidden"),
                "message": _("The results are shown to everyone, the body included, once the poll closes."),
            },
            status=403,
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ashyq-poll-{poll.pk}-results.csv"'
    writer = csv_safe.writer(response)
    writer.writerow(CSV_HEADER)
    for row in rows:
        q = row["question"]
        for position, c in enumerate(row["choices"], start=1):
            share = "" if c["share"] is None else round(c["share"], 4)
            writer.writerow([q.position, q.text, q.kind, row["answered"], position, c["text"], c["votes"], share])
    return response
