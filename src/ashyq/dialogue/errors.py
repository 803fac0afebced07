# Conflict lives in core so that every app's pages and the form helper (core/forms.py) can tell it apart.
from ashyq.core.errors import Conflict  # noqa: F401
