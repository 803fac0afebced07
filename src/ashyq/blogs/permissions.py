"""Who may write a body's blog and run its web conferences. Services call these under their transaction; views and
templates ask the same functions (`can.write_blog`, registered in apps.py with core/permissions.py).

The head of a body writes its blog (the product brief: "the head ... writes the blog"), and may let named officials
of the same body write it in the head's name (`Delegation`) until the head withdraws that. Only the head delegates.
An official of another body is never delegated, and one who moves to another body or is deactivated stops writing."""

from ashyq.core.roles import Role

from .models import Delegation


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.body_id is not None)


def is_head(user) -> bool:
    return _active(user) and user.role == Role.HEAD


def delegation_of(user):
    """The delegation in force under which this official writes their body's blog, or None."""
    if not _active(user) or user.role != Role.OFFICIAL:
        return None
    return Delegation.objects.filter(official=user, body_id=user.body_id, withdrawn_at__isnull=True).first()


def writes_blog(user) -> bool:
    """The head of a body, or an official the head delegated it to, writes the body's blog and runs its conferences.
    Officials answer the questions through the body's inbox like any appeal, delegated or not."""
    return is_head(user) or delegation_of(user) is not None


def manages(user, body_id) -> bool:
    """The head of this very body, or its delegate: another body's head or official may not touch its posts."""
    return _active(user) and user.body_id == body_id and writes_blog(user)


def delegates(user) -> bool:
    """Only the head gives and withdraws delegations of their body's blog; a delegate never passes it on."""
    return is_head(user)


def may_be_delegated(head, official) -> bool:
    """An active official of the head's own body."""
    return (
        delegates(head)
        and getattr(official, "is_active", False)
        and official.role == Role.OFFICIAL
        and official.body_id == head.body_id
    )
