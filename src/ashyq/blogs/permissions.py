"""Who may write a body's blog and run its web conferences. Services call these under their transaction; views and
templates ask the same functions (`can.write_blog`, registered in apps.py with core/permissions.py)."""

from ashyq.core.roles import Role


def writes_blog(user) -> bool:
    """The head of a body writes its blog and runs its conferences (the product brief: "the head ... writes the
    blog"). Officials answer the questions through the body's inbox like any appeal."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.role == Role.HEAD and user.body_id is not None
    )


def manages(user, body_id) -> bool:
    """The head of this very body: another body's head or official may not touch its posts or conferences."""
    return writes_blog(user) and user.body_id == body_id
