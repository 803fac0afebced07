"""Who may do what in a discussion. Services call these; views never decide alone."""
from ashyq.accounts.models import Role


def is_developer(user, process) -> bool:
    """The staff of the body that develops the draft."""
    return bool(user.is_authenticated and user.is_body_staff and user.body_id == process.body_id)


def is_moderator(user) -> bool:
    return user.is_authenticated and user.role in (Role.MODERATOR, Role.ADMIN)


def is_oversight(user) -> bool:
    return user.is_authenticated and user.role in (Role.MONITOR, Role.ADMIN)


def may_publish_drafts(user) -> bool:
    return bool(user.is_authenticated and user.is_body_staff)


def sees_originals(user, process) -> bool:
    """The original text of comments (before moderation) is for the developer, moderators and monitors."""
    return is_developer(user, process) or is_moderator(user) or is_oversight(user)
