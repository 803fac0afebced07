"""Who may do what with people's accounts. The views and services ask these, and the templates ask the same rules
as `can.<name>` (registered in apps.py with core/permissions.py)."""

from ashyq.core.roles import Role


def verifies_in_person(user) -> bool:
    """The staff of a body at its reception, or an administrator, record that they saw a person's identity document."""
    return bool(user.is_authenticated and user.is_active and (user.is_body_staff or user.role == Role.ADMIN))
