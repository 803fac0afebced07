"""Reads of blogs and conferences with their visibility rules: the public sees published posts and announced
conferences; the head of the body also sees its drafts. Questions and answers are read through dialogue's
selectors and presenters, so the public gets only what moderation published (never the originals, never a name
the applicant did not choose to show)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from ashyq.core.roles import BODY_ROLES, Role
from ashyq.dialogue import permissions as dialogue_permissions
from ashyq.dialogue import presenters
from ashyq.dialogue import selectors as dialogue_selectors

from . import permissions
from .models import Conference, Delegation, Post, PostStatus, Question

PAGE_SIZE = 20


def public_posts() -> QuerySet[Post]:
    return Post.objects.filter(status=PostStatus.PUBLISHED).select_related("body", "author").order_by("-published_at", "-pk")


def public_conferences() -> QuerySet[Conference]:
    return Conference.objects.filter(announced_at__isnull=False).select_related("body").order_by("-starts_at", "-pk")


def posts_visible_to(user) -> QuerySet[Post]:
    if permissions.writes_blog(user):
        return Post.objects.filter(Q(status=PostStatus.PUBLISHED) | Q(body_id=user.body_id)).select_related("body", "author")
    return public_posts()


def conferences_visible_to(user) -> QuerySet[Conference]:
    if permissions.writes_blog(user):
        return Conference.objects.filter(Q(announced_at__isnull=False) | Q(body_id=user.body_id)).select_related("body")
    return public_conferences()


def own_posts(user) -> QuerySet[Post]:
    if not permissions.writes_blog(user):
        return Post.objects.none()
    return Post.objects.filter(body_id=user.body_id).select_related("author").order_by("-updated_at", "-pk")


def own_conferences(user) -> QuerySet[Conference]:
    if not permissions.writes_blog(user):
        return Conference.objects.none()
    return Conference.objects.filter(body_id=user.body_id).annotate(asked=Count("questions")).order_by("-starts_at", "-pk")


def bodies_with_blogs():
    """The bodies with a published post or an announced conference, with how many of each."""
    from ashyq.bodies.models import Body

    return (
        Body.objects.annotate(
            posts=Count("blog_posts", filter=Q(blog_posts__status=PostStatus.PUBLISHED), distinct=True),
            announced=Count("conferences", filter=Q(conferences__announced_at__isnull=False), distinct=True),
        )
        .filter(Q(posts__gt=0) | Q(announced__gt=0))
        .order_by("name_en")
    )


def _answered(questions: QuerySet[Question]) -> list[dict]:
    """The questions the public may read with their public answers: published appeals (dialogue's one rule) whose
    answer moderation published, each as dialogue's presenters show it to the public."""
    public = AnonymousUser()
    appeals = (
        dialogue_selectors.public_appeals()
        .filter(pk__in=questions.values("appeal_id"), answer__published_at__isnull=False)
        .select_related("answer")
        .order_by("registered_at", "pk")
    )
    return [
        {"appeal": appeal, "answered_at": appeal.answer.answered_at, **presenters.shown_texts(appeal, public)}
        for appeal in appeals
    ]


def archive(conference: Conference) -> list[dict]:
    """A conference's archive: its questions and their answers, as far as moderation made them public."""
    return _answered(Question.objects.filter(conference=conference))


def answered_under(post: Post) -> list[dict]:
    return _answered(Question.objects.filter(post=post))


def question_counts(**target) -> dict:
    """How many questions were asked and how many are answered (counts only: nothing about who asked)."""
    return Question.objects.filter(**target).aggregate(
        asked=Count("pk"), answered=Count("pk", filter=Q(appeal__answer__isnull=False))
    )


def questions_for_staff(user, **target) -> QuerySet[Question]:
    """The questions as appeals for the head of the body: number, status and due date, to open in the inbox."""
    if not permissions.writes_blog(user):
        return Question.objects.none()
    return Question.objects.filter(**target).select_related("appeal", "appeal__body").order_by("asked_at", "pk")


def delegate_name(post: Post, viewer) -> str | None:
    """Who wrote a post published on the head's behalf, as this viewer may know it: officials are named only to their
    own body's staff and to oversight, as on appeals (dialogue's presenters); anyone else reads "an official", and
    None for a post the head wrote."""
    if post.delegation_id is None:
        return None
    body_staff = getattr(viewer, "is_authenticated", False) and viewer.role in BODY_ROLES and viewer.body_id == post.body_id
    if body_staff or dialogue_permissions.is_oversight(viewer):
        return post.author.display_name
    return ""


def delegations(head) -> QuerySet[Delegation]:
    """The head's body's delegations, in force first, then the withdrawn ones, newest first (the record)."""
    if not permissions.delegates(head):
        return Delegation.objects.none()
    return (
        Delegation.objects.filter(body_id=head.body_id)
        .select_related("official", "granted_by", "withdrawn_by")
        .order_by(F("withdrawn_at").desc(nulls_first=True), "-granted_at", "-pk")
    )


def officials_to_delegate(head) -> QuerySet:
    """The active officials of the head's body who do not write the blog yet."""
    if not permissions.delegates(head):
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(body_id=head.body_id, role=Role.OFFICIAL, is_active=True)
        .exclude(Exists(Delegation.objects.filter(official=OuterRef("pk"), body_id=head.body_id, withdrawn_at__isnull=True)))
        .order_by("last_name", "first_name", "username")
    )
