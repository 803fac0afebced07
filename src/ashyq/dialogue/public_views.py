"""The public record: the list of published appeals with search and filters, and each body's page of
appeals and published answers (the open-data page of the appeals is publicdata/views.py).

Everything here reads through selectors.public_appeals() and shows only the moderated public copies
(public_subject, public_text, answer.public_text once published); the applicant appears under their
pseudonym unless they chose to be named. No count over the whole table is taken: pages show
"previous/next" and stop at MAX_PAGE (refine the filters to go further).
"""

import datetime as dt

from django import forms
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ashyq.bodies.models import Body
from ashyq.core import pagecache
from ashyq.core.models import Region
from ashyq.core.widgets import QuickSelect

from . import search, selectors
from .models import Answer, AppealType, Channel, Outcome, Status, published_q

PAGE_SIZE = 20
MAX_PAGE = 250  # 5,000 appeals deep; beyond that the filters narrow the list better than paging does


def public_applicant(appeal) -> str:
    """How the applicant appears in public: their full name if they chose so, else their pseudonym.

    Never both: the pseudonym is the same on all of a person's appeals, so printing it beside a name
    would unmask every appeal they published under it.
    """
    if appeal.show_name:
        if appeal.applicant.anonymised_at:
            # Named appeals of an anonymised account show neither: the pseudonym here would tie the name this
            # page used to carry to the person's other appeals (accounts/services.anonymise).
            return str(_("Applicant (account anonymised)"))
        return appeal.applicant.get_full_name() or appeal.applicant.pseudonym
    return appeal.applicant.pseudonym


def published_answer_text(appeal) -> str | None:
    answer = getattr(appeal, "answer", None)
    if answer is None or answer.published_at is None:
        return None
    return answer.public_text


def _blank(choices):
    return [("", _("any"))] + list(choices)


class PublicFilterForm(forms.Form):
    # The lists of every body and region are rendered in Python (core/widgets.py): the same HTML as Django's
    # Select, without a template per option, which was a large share of an uncached search page.
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    body = forms.ChoiceField(label=_("State body"), required=False, widget=QuickSelect)
    region = forms.ChoiceField(label=_("Region"), required=False, widget=QuickSelect)
    type = forms.ChoiceField(label=_("Type of appeal"), required=False, choices=_blank(AppealType.choices), widget=QuickSelect)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_blank(Channel.choices), widget=QuickSelect)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(Status.choices), widget=QuickSelect)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=_blank(Outcome.choices), widget=QuickSelect)
    registered_from = forms.DateField(label=_("Registered from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    registered_to = forms.DateField(label=_("Registered until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bodies = Body.objects.filter(accepts_appeals=True).order_by("kind", "name_en")
        self.fields["body"].choices = _blank((b.slug, b.name) for b in bodies)
        self.fields["region"].choices = _blank((r.iso_code, r.name) for r in Region.objects.order_by("name_en"))

    def clean(self):
        data = super().clean()
        start, end = data.get("registered_from"), data.get("registered_to")
        if start and end and start > end:
            self.add_error("registered_to", _("The end of the period is before its start."))
        return data


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filtered_public_appeals(data: dict, *, searched: bool = True):
    """Published appeals narrowed by the (cleaned) filters; newest first, or as search.search() orders a search."""
    qs = selectors.public_appeals().select_related("answer")
    if data.get("body"):
        qs = qs.filter(body__slug=data["body"])
    if data.get("region"):
        qs = qs.filter(region__iso_code=data["region"])
    if data.get("type"):
        qs = qs.filter(type=data["type"])
    if data.get("channel"):
        qs = qs.filter(channel=data["channel"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("outcome"):
        qs = qs.filter(answer__outcome=data["outcome"])
    # Days in Kazakhstan's time, as bounds on the timestamp itself so the index on registered_at serves them.
    if data.get("registered_from"):
        qs = qs.filter(registered_at__gte=_start_of(data["registered_from"]))
    if data.get("registered_to"):
        qs = qs.filter(registered_at__lt=_start_of(data["registered_to"] + dt.timedelta(days=1)))
    qs = qs.order_by("-registered_at", "-id")
    if searched and data.get("q"):
        qs = search.search(qs, data["q"])
    return qs


def _page_number(request) -> int:
    try:
        return min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        return 1


def _page(qs, request, size=PAGE_SIZE, rows_from=None, ids_of=None) -> dict:
    """One page without counting the whole list: fetch one row more than shown to know if there is a next page.

    With `rows_from`, the page's ids are chosen by `qs` alone (no joins: a search sorts every match
    before the LIMIT, and joining the related rows of all of them cost more than the sort), or by
    `ids_of(offset, limit)` where it gives them (search.page_ids: from the search table alone; `qs` is then
    a function, called only if it does not), and the rows, with their related ones, are then read from
    `rows_from` by id.
    """
    number = _page_number(request)
    start, end = (number - 1) * size, number * size + 1
    if rows_from is None:
        rows = list(qs[start:end])
    else:
        ids = ids_of(start, end - start) if ids_of else None
        if ids is None:
            ids = list((qs() if callable(qs) else qs)[start:end].values_list("pk", flat=True))
        found = rows_from.order_by().in_bulk(ids)
        rows = [found[pk] for pk in ids if pk in found]
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "items": rows[:size],
        "number": number,
        "has_previous": number > 1,
        "has_next": len(rows) > size and number < MAX_PAGE,
        "at_limit": len(rows) > size and number >= MAX_PAGE,
        "query": query.urlencode(),
    }


def _cards(appeals) -> list[dict]:
    return [{"appeal": a, "applicant": public_applicant(a), "answer_text": published_answer_text(a)} for a in appeals]


@pagecache.public_page(pagecache.RECORD)
def public_list(request):
    form = PublicFilterForm(request.GET or None)
    status = 200
    if form.is_bound and not form.is_valid():
        page, status = None, 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        rows_from = filtered_public_appeals(data, searched=False) if data.get("q") else None
        ids_of = None
        if data.get("q") and not any(value for name, value in data.items() if name != "q"):
            # Words alone: the search table holds every published appeal's words and order key, so the page's
            # ids come from it without reading the appeals (their rows are still read through rows_from,
            # which applies the visibility rules again).
            ids_of = lambda offset, limit: search.page_ids(data["q"], offset, limit, using=rows_from.db)  # noqa: E731
        qs = filtered_public_appeals(data) if ids_of is None else lambda: filtered_public_appeals(data)
        page = _page(qs, request, rows_from=rows_from, ids_of=ids_of)
        page["items"] = _cards(page["items"])
    searched = form.is_bound and form.is_valid() and bool(form.cleaned_data.get("q"))
    return render(
        request,
        "public/list.html",
        {
            "form": form,
            "page": page,
            "searched": searched,
            "ordering": search.ordering() if searched else None,
        },
        status=status,
    )


# The body's panels (core/registry.py) show its blog (BLOGS), budget (DATA) and legal drafts (LEGAL).
@pagecache.public_page(pagecache.RECORD, pagecache.FIGURES, pagecache.DATA, pagecache.LEGAL, pagecache.BLOGS)
def body_page(request, slug):
    body = get_object_or_404(Body.objects.select_related("region", "parent"), slug=slug)
    public = selectors.public_appeals()
    answers = (
        # The appeal's publication is checked on the joined row, not with IN (all published appeals):
        # the database walks the body's published answers newest first and stops at the page.
        Answer.objects.filter(published_q("appeal__"), body=body, published_at__isnull=False)
        .select_related("appeal", "appeal__applicant", "appeal__body")
        .order_by("-published_at", "-id")
    )
    page = _page(answers, request, size=10)
    page["items"] = [{"answer": a, "appeal": a.appeal, "applicant": public_applicant(a.appeal)} for a in page["items"]]
    recent = list(public.filter(body=body).select_related("answer").order_by("-registered_at", "-id")[:PAGE_SIZE])
    return render(
        request,
        "public/body.html",
        {
            "body": body,
            "answers": page,
            "recent": _cards(recent),
            "more": len(recent) >= PAGE_SIZE,
        },
    )
