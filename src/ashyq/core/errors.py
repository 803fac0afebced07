from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The record is not (or no longer) in a state that allows this step, e.g. another official acted first.
    Pages show it as a message (a corrected form would not help); the API answers 409."""
