from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DialogueConfig(AppConfig):
    name = "ashyq.dialogue"
    label = "dialogue"

    def ready(self):
        from . import search

        # The public full-text index and the public-list indexes are vendor-specific (search.py).
        post_migrate.connect(search.on_post_migrate, sender=self, dispatch_uid="ashyq.dialogue.search")
