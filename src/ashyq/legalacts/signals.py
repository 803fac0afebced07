"""What Open Legal Acts tells the apps that build on it, without importing them.

`process_step` is sent inside the transaction of a step that changes what the public's comments on a draft
count for (a comment published, refused, hidden or restored; a decision; the report; the window extended; the
process adopted or withdrawn), with `process`. The assessment files the comments under the body and the
month the report falls due and refreshes those figures after the commit (assessment/apps.py connects it); a
receiver defers its work with transaction.on_commit() and must not raise, so a step never fails because of
what follows it.
"""

from django.dispatch import Signal

process_step = Signal()

# The event kinds (services._event) that send it; a stance, a reply or an abuse report changes no figure.
COUNTED_KINDS = frozenset(
    {
        "comment_publish",
        "comment_refuse",
        "comment_hide",
        "comment_restore",
        "decided",
        "report_published",
        "window_extended",
        "adopted",
        "withdrawn",
    }
)
