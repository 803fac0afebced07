from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "ashyq.core"
    label = "core"

    def ready(self):
        from . import reference
        from .models import Region

        # The reference rows each process keeps in memory are read again after a change (reference.py).
        reference.follow(Region)
        post_migrate.connect(reference.changed, sender=self, dispatch_uid="ashyq.core.reference.migrate")
