"""Pages of heads' blogs and web conferences. Thin: forms parse, services decide, selectors read. Nothing needs
JavaScript: a question is an ordinary form under the post or conference, and the head's pages are plain forms."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from ashyq.bodies.models import Body
from ashyq.core import clock, confirmation, identity
from ashyq.core.confirmation import Confirmation
from ashyq.core.forms import run_service
from ashyq.dialogue import submission_cap

from . import markup, permissions, selectors, services
from .forms import ConferenceForm, DelegateForm, PostForm, QuestionForm
from .models import Post


@require_safe
def index(request):
    now = clock.now()
    return render(
        request,
        "blogs/index.html",
        {
            "posts": list(selectors.public_posts()[:10]),
            "upcoming": list(
                selectors.public_conferences().filter(starts_at__gte=now, cancelled_at__isnull=True).order_by("starts_at")[:10]
            ),
            "past": list(selectors.public_conferences().filter(starts_at__lt=now)[:10]),
            "bodies": list(selectors.bodies_with_blogs()),
        },
    )


@require_safe
def body_blog(request, slug):
    body = get_object_or_404(Body, slug=slug)
    page = Paginator(selectors.public_posts().filter(body=body), selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "blogs/body.html",
        {"body": body, "page": page, "conferences": list(selectors.public_conferences().filter(body=body)[:20])},
    )


def _question_context(request, target, form, **counts_target):
    return {
        "question_form": form or QuestionForm(),
        "needs_level": None
        if identity.meets(request.user, identity.Step.WRITE_APPEAL) or not request.user.is_authenticated
        else identity.missing_message(identity.Step.WRITE_APPEAL),
        "counts": selectors.question_counts(**counts_target),
        "manages": permissions.manages(request.user, target.body_id),
    }


def _ask(request, target, page_url):
    """Register the question as an appeal (services.ask_question), or the form again with what is wrong."""
    if not request.user.is_authenticated:
        return None, redirect_to_login(page_url)
    form = QuestionForm(request.POST)
    wait = submission_cap.wait_seconds(request, request.user) if form.is_valid() else 0
    if wait:
        form.add_error(None, submission_cap.message(wait))
        return form, None
    ran = run_service(
        request,
        form,
        lambda data: services.ask_question(
            request.user,
            target,
            subject=data["subject"],
            text=data["text"],
            region=data["region"],
            is_public=data["is_public"],
            show_name=data["show_name"],
        ),
        lambda appeal: (
            _("Your question is registered as appeal No. %(number)s; the body must answer it within the statutory term.")
            % {"number": appeal.number}
        ),
    )
    if ran.done:
        # With its own fragment: a browser would otherwise carry the form's "#ask" over to the appeal's page.
        return None, redirect(reverse("dialogue:detail", args=[ran.result.pk]) + "#main")
    return form, None


def _page_with_question_form(request, target, url_name, template, extra):
    """A post's or a conference's page: on POST, the question is asked (and on success the asker goes to the
    appeal it became); otherwise, or with errors, the page with `extra(target)` and the question form."""
    form = None
    if request.method == "POST":
        form, response = _ask(request, target, reverse(url_name, args=[target.pk]))
        if response:
            return response
    counts_target = {"post": target} if isinstance(target, Post) else {"conference": target}
    context = {**extra(target), **_question_context(request, target, form, **counts_target)}
    return render(request, template, context, status=400 if form is not None else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate="60/h", method="POST", block=True)
def post_page(request, pk):
    post = get_object_or_404(selectors.posts_visible_to(request.user), pk=pk)
    return _page_with_question_form(
        request,
        post,
        "blogs:post",
        "blogs/post.html",
        lambda p: {
            "post": p,
            "delegate_name": selectors.delegate_name(p, request.user),
            "html": markup.render(p.localized("text")),
            "text_lang": p.language_of("text"),
            "answered": selectors.answered_under(p),
        },
    )


def _conference_context(conference) -> dict:
    now = clock.now()
    return {
        "conference": conference,
        "description": markup.render(conference.localized("description")),
        "description_lang": conference.language_of("description"),
        "open": conference.questions_open(now),
        "not_yet": conference.is_announced and now < conference.questions_open_at,
        "archive": selectors.archive(conference),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate="60/h", method="POST", block=True)
def conference_page(request, pk):
    conference = get_object_or_404(selectors.conferences_visible_to(request.user), pk=pk)
    return _page_with_question_form(request, conference, "blogs:conference", "blogs/conference.html", _conference_context)


# --- the head's pages ------------------------------------------------------------------------------------


def _require_writer(request):
    if not permissions.writes_blog(request.user):
        raise PermissionDenied


@login_required
@require_safe
def manage(request):
    _require_writer(request)
    return render(
        request,
        "blogs/manage.html",
        {
            "posts": list(selectors.own_posts(request.user)),
            "conferences": list(selectors.own_conferences(request.user)),
            "may_delegate": permissions.delegates(request.user),
            "delegation": permissions.delegation_of(request.user),
        },
    )


def _post_values(data) -> dict:
    return {name: data[name] for name in PostForm.base_fields}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_edit(request, pk=None):
    _require_writer(request)
    post = get_object_or_404(selectors.own_posts(request.user), pk=pk) if pk else None
    initial = {name: getattr(post, name) for name in PostForm.base_fields} if post else None
    form = PostForm(request.POST or None, initial=initial)
    if request.method == "POST":
        publish = request.POST.get("action") == "publish"
        if post is None:
            ran = run_service(
                request, form, lambda data: services.write_post(request.user, publish=publish, **_post_values(data))
            )
        else:
            ran = run_service(request, form, lambda data: _save_post(request.user, post, data, publish))
        if ran.done:
            return redirect("blogs:post", ran.result.pk)
    questions = list(selectors.questions_for_staff(request.user, post=post)) if post else []
    return render(
        request,
        "blogs/post_form.html",
        {"form": form, "post": post, "questions": questions},
        status=400 if form.is_bound else 200,
    )


def _save_post(user, post, data, publish):
    post = services.edit_post(user, post, **_post_values(data))
    if publish or post.is_published:
        return post if post.is_published else services.set_post_published(user, post, True)
    return post


@login_required
@require_POST
def post_publication(request, pk):
    """Publish a draft, or take a published post back to draft."""
    _require_writer(request)
    post = get_object_or_404(selectors.own_posts(request.user), pk=pk)
    services.set_post_published(request.user, post, request.POST.get("action") == "publish")
    return redirect("blogs:manage")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conference_edit(request, pk=None):
    _require_writer(request)
    conference = get_object_or_404(selectors.own_conferences(request.user), pk=pk) if pk else None
    initial = {name: getattr(conference, name) for name in ConferenceForm.base_fields} if conference else None
    form = ConferenceForm(request.POST or None, initial=initial)
    if request.method == "POST":
        values = lambda data: {name: data[name] for name in ConferenceForm.base_fields}  # noqa: E731
        if conference is None:
            announce = request.POST.get("action") == "announce"
            ran = run_service(
                request, form, lambda data: services.plan_conference(request.user, announce=announce, **values(data))
            )
        else:
            ran = run_service(request, form, lambda data: services.edit_conference(request.user, conference, **values(data)))
        if ran.done:
            return redirect("blogs:conference", ran.result.pk)
    questions = list(selectors.questions_for_staff(request.user, conference=conference)) if conference else []
    return render(
        request,
        "blogs/conference_form.html",
        {"form": form, "conference": conference, "questions": questions},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def conference_action(request, pk, action):
    _require_writer(request)
    conference = get_object_or_404(selectors.own_conferences(request.user), pk=pk)
    if action == "announce":
        try:
            services.announce_conference(request.user, conference)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    elif action == "cancel" and conference.cancelled_at is None:
        # Cancelling tells every reader the conference will not take place, and no one can announce it again: a
        # second page says so first (core/confirmation.py). The step has no fields; "No, go back" returns to the list.
        asked = _ask_first(request, lambda: _cancel_confirmation(conference), "blogs:manage")
        if asked is not None:
            return asked
        services.cancel_conference(request.user, conference)
        messages.success(request, _("The conference is cancelled."))
    elif action == "cancel":
        pass  # cancelled already (a second tab): nothing to ask, nothing to do
    else:
        raise PermissionDenied
    return redirect("blogs:manage")


def _ask_first(request, question, page: str):
    """The question before a head's step that has no fields (core/confirmation.py), or None once confirmed; "No, go
    back" returns to `page`, the list the step was taken from."""
    return confirmation.ask_first(request, forms.Form(request.POST), question, page=reverse(page), back=lambda: redirect(page))


def _cancel_confirmation(conference) -> Confirmation:
    happens = [
        _("The conference shows as cancelled on its page, in the blog and in the lists; no one can ask it questions any more."),
        _("Questions already asked stay appeals to your body and are answered within their statutory term."),
        _("This cannot be undone: a cancelled conference cannot be announced or changed again; plan a new one instead."),
    ]
    if conference.announced_at is None:
        happens[0] = _("The conference was not announced: no reader has seen it. It stays in your list as cancelled.")
    return Confirmation(
        question=_("Cancel the web conference of %(date)s?")
        % {"date": date_format(timezone.localtime(conference.starts_at), "d.m.Y H:i")},
        about=conference.title,
        happens=happens,
        button=_("Yes, cancel the conference"),
    )


# --- the head's delegates ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delegates(request):
    """The head's page: the officials who write the blog in the head's name, the form to name one more, and the
    record of delegations given and withdrawn."""
    if not permissions.delegates(request.user):
        raise PermissionDenied
    # An empty POST is bound too: it gets the form with what is missing, never the blank page.
    form = DelegateForm(
        request.POST if request.method == "POST" else None, officials=selectors.officials_to_delegate(request.user)
    )
    if request.method == "POST":
        ran = run_service(
            request,
            form,
            lambda data: services.delegate_blog(request.user, data["official"]),
            lambda delegation: (
                _("%(name)s may now write your blog and run your web conferences in your name.")
                % {"name": delegation.official.display_name}
            ),
        )
        if ran.done:
            return redirect("blogs:delegates")
    return render(
        request,
        "blogs/delegates.html",
        {"form": form, "delegations": list(selectors.delegations(request.user))},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def withdraw_delegate(request, pk):
    if not permissions.delegates(request.user):
        raise PermissionDenied
    delegation = get_object_or_404(selectors.delegations(request.user), pk=pk)
    if delegation.withdrawn_at is None:
        # The official loses the right at once: a second page says so first (core/confirmation.py).
        asked = _ask_first(request, lambda: _withdrawal_confirmation(delegation), "blogs:delegates")
        if asked is not None:
            return asked
    services.withdraw_delegation(request.user, delegation)
    messages.success(
        request,
        _("%(name)s no longer writes your blog. Their posts stay, published on your behalf.")
        % {"name": delegation.official.display_name},
    )
    return redirect("blogs:delegates")


def _withdrawal_confirmation(delegation) -> Confirmation:
    name = delegation.official.display_name
    return Confirmation(
        question=_("Withdraw the delegation of %(name)s?") % {"name": name},
        happens=[
            _("From now on %(name)s cannot write your blog or run your web conferences in your name.") % {"name": name},
            _("Their posts stay published on your behalf, and the withdrawal is recorded with your name and the time."),
            _("This cannot be undone: the delegation ends for good; to let them write again, name them again."),
        ],
        button=_("Yes, withdraw the delegation"),
    )
