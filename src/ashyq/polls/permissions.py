"""Who may do what with polls: one rule per step, asked by the services, the views and the templates' `can`."""


def can_open_polls(user) -> bool:
    """An official or head of a body opens polls for that body."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_body_staff and user.body_id)


def can_manage(user, poll) -> bool:
    """The staff of the poll's body close it early."""
    return can_open_polls(user) and user.body_id == poll.body_id
