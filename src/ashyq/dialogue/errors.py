from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The appeal is not (or no longer) in a state that allows this step, e.g. another official acted first."""
