"""Who may do what in a discussion. Services call these; views never decide alone."""

from ashyq.dialogue import permissions as dialogue_permissions
from ashyq.moderation.selectors import can_moderate


def is_developer(user, process) -> bool:
    """The staff of the body that develops the draft."""
    return bool(user.is_authenticated and user.is_body_staff and user.body_id == process.body_id)


# The same people moderate comments on drafts as appeals, and oversee discussions as appeals (`can.moderate`,
# `can.oversee` in the templates).
is_moderator = can_moderate
is_oversight = dialogue_permissions.is_oversight


def may_publish_drafts(user) -> bool:
    return bool(user.is_authenticated and user.is_body_staff)


def sees_originals(user, process) -> bool:
    """The original text of comments (before moderation) is for the developer, moderators and monitors."""
    return is_developer(user, process) or is_moderator(user) or is_oversight(user)
