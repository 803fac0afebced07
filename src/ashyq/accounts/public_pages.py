"""A person's name is on public pages only where they chose it: their public appeals named instead of a pseudonym
(dialogue/public_views.public_applicant). When the name of such a person changes, whoever changes it (the person,
an administrator, anonymisation), the cached public pages of the record are rendered afresh (core/pagecache.py);
any other save of an account (a sign-in, a new password, a language) leaves the cache alone."""

from ashyq.core import pagecache
from ashyq.dialogue.models import Appeal

NAME_FIELDS = ("first_name", "last_name")


def _name(user) -> tuple[str, ...]:
    return tuple(getattr(user, field) for field in NAME_FIELDS)


def remember_name(sender, instance, raw=False, update_fields=None, **kwargs):
    """Before the save: the name as stored, to compare after it (only when the save may change it)."""
    instance._stored_name = None
    if raw or instance.pk is None or (update_fields is not None and not set(update_fields) & set(NAME_FIELDS)):
        return
    instance._stored_name = tuple(
        sender.objects.filter(pk=instance.pk).values_list(*NAME_FIELDS).first() or ("",) * len(NAME_FIELDS)
    )


def on_user_saved(sender, instance, raw=False, created=False, **kwargs):
    stored = getattr(instance, "_stored_name", None)
    if raw or created or stored is None or stored == _name(instance):
        return
    if Appeal.objects.filter(applicant_id=instance.pk, show_name=True).exists():
        pagecache.bump(pagecache.RECORD)
