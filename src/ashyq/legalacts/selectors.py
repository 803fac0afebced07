"""Reads, with the visibility rules: who sees which comments, and in which copy.

Processes and the registers are public. Comments: the public reads published comments in their
moderated copy under the author's pseudonym; the developer, moderators and monitors also see comments
awaiting moderation and the original words.
"""

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet

from ashyq.core import clock

from . import permissions, rules
from .models import AdoptedAct, Agreement, Comment, CommentStatus, Phase, Process, Reply, Stage

PAGE_SIZE = 20


def _decorate(process: Process, today: dt.date) -> Process:
    process.phase = rules.phase(process, today)
    process.days_left = rules.days_left(process, today)
    process.overdue = rules.report_overdue(process, today)
    return process


def decorate(processes, today: dt.date | None = None):
    today = today or clock.today()
    return [_decorate(p, today) for p in processes]


def public_processes() -> QuerySet:
    return Process.objects.select_related("body")


def filtered_processes(*, when: str = "", body=None, act_type: str = "", phase: str = "") -> QuerySet:
    """when: 'open', 'upcoming' or 'past'; phase: one of Phase (announced/open/closed from the dates)."""
    today = clock.today()
    qs = public_processes()
    published = Q(stage=Stage.PUBLISHED)
    by_phase = {
        Phase.ANNOUNCED: published & Q(opens_on__gt=today),
        Phase.OPEN: published & Q(opens_on__lte=today, closes_on__gte=today),
        Phase.CLOSED: published & Q(closes_on__lt=today),
    }
    if when == "open":
        qs = qs.filter(by_phase[Phase.OPEN]).order_by("closes_on", "pk")
    elif when == "upcoming":
        qs = qs.filter(by_phase[Phase.ANNOUNCED]).order_by("opens_on", "pk")
    elif when == "past":
        qs = qs.exclude(by_phase[Phase.OPEN] | by_phase[Phase.ANNOUNCED]).order_by("-closes_on", "-pk")
    if body is not None:
        qs = qs.filter(body=body)
    if act_type:
        qs = qs.filter(act_type=act_type)
    if phase in by_phase:
        qs = qs.filter(by_phase[phase])
    elif phase:
        qs = qs.filter(stage=phase)
    return qs


def body_processes(body) -> list[Process]:
    return decorate(public_processes().filter(body=body).order_by("-opens_on", "-pk")[:50])


def overdue_reports() -> list[Process]:
    """Closed discussions whose report is late, the longest overdue first."""
    return decorate(
        public_processes().filter(stage=Stage.PUBLISHED, report_due_on__lt=clock.today()).order_by("report_due_on", "pk")
    )


def comments_for(user, process: Process) -> QuerySet:
    qs = process.comments.select_related("author", "version").prefetch_related(
        Prefetch("replies", queryset=Reply.objects.select_related("author"))
    )
    if permissions.sees_originals(user, process):
        return qs
    return qs.filter(status=CommentStatus.PUBLISHED)


def report_rows(process: Process) -> QuerySet:
    """The comments the report answers (published, or hidden after publication), in the order written."""
    return process.comments.filter(status__in=(CommentStatus.PUBLISHED, CommentStatus.HIDDEN)).select_related("author", "version")


def comment_counts(process: Process) -> dict:
    rows = report_rows(process)
    return rows.aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=~Q(decision="") & ~Q(reason="")),
        accepted=Count("pk", filter=Q(decision="accepted")),
        partly=Count("pk", filter=Q(decision="partly")),
        rejected=Count("pk", filter=Q(decision="rejected")),
        not_about_draft=Count("pk", filter=Q(decision="not_about_draft")),
    )


def moderation_queue() -> QuerySet:
    """Comments awaiting moderation, and published comments reported as abusive (most reported first)."""
    return (
        Comment.objects.select_related("process", "author")
        .filter(Q(status=CommentStatus.PENDING) | Q(status=CommentStatus.PUBLISHED, abuse_reports__gt=0))
        .order_by("-abuse_reports", "created_at")
    )


def acts() -> QuerySet:
    return AdoptedAct.objects.select_related("body")


def agreements() -> QuerySet:
    return Agreement.objects.prefetch_related("citations")


def answered_share_by_body(start: dt.date | None = None, end: dt.date | None = None) -> dict[int, tuple[int, int]]:
    """{body_id: (comments answered with a reason, comments to answer)} over published reports, by report date."""
    qs = Comment.objects.filter(
        status__in=(CommentStatus.PUBLISHED, CommentStatus.HIDDEN), process__stage__in=(Stage.REPORT_PUBLISHED, Stage.ADOPTED)
    )
    if start:
        qs = qs.filter(process__report_published_at__date__gte=start)
    if end:
        qs = qs.filter(process__report_published_at__date__lt=end)
    rows = qs.values("process__body").annotate(total=Count("pk"), answered=Count("pk", filter=~Q(decision="") & ~Q(reason="")))
    return {r["process__body"]: (r["answered"], r["total"]) for r in rows}
