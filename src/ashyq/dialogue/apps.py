from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class DialogueConfig(AppConfig):
    name = "ashyq.dialogue"
    label = "dialogue"

    def ready(self):
        from ashyq.core import reference
        from ashyq.core.permissions import register_rule

        from . import permissions, public_pages, search, signals
        from .models import Answer, Appeal, AppealEvent, Regulation

        # Each process keeps the regulation in force in memory until a version is saved (core/reference.py).
        reference.follow(Regulation)

        # The public full-text index and the public-list indexes are vendor-specific (search.py).
        post_migrate.connect(search.on_post_migrate, sender=self, dispatch_uid="ashyq.dialogue.search")
        # The search row of an appeal follows its public copies and its published answer.
        post_save.connect(search.on_appeal_saved, sender=Appeal, dispatch_uid="ashyq.dialogue.search.appeal")
        post_save.connect(search.on_answer_saved, sender=Answer, dispatch_uid="ashyq.dialogue.search.answer")
        # Each new event of the record goes out as dialogue's own signal, with what it changed (signals.py).
        post_save.connect(signals.on_event_saved, sender=AppealEvent, dispatch_uid="ashyq.dialogue.event_appended")
        # The public pages served from the cache are rendered afresh after an event that changes them (public_pages.py).
        signals.event_appended.connect(public_pages.on_event_appended, dispatch_uid="ashyq.dialogue.public_pages")
        post_save.connect(public_pages.on_appeal_saved, sender=Appeal, dispatch_uid="ashyq.dialogue.public_pages.appeal")
        post_save.connect(public_pages.on_answer_saved, sender=Answer, dispatch_uid="ashyq.dialogue.public_pages.answer")
        # The site-wide rules the templates ask as `can.<name>` (core/permissions.py), and the views ask too.
        register_rule("write_appeals", permissions.writes_appeals)
        register_rule("work_inbox", permissions.works_inbox)
        register_rule("oversee", permissions.is_oversight)
