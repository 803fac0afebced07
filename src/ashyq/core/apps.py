from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class CoreConfig(AppConfig):
    name = "ashyq.core"
    label = "core"

    def ready(self):
        from . import reference
        from .models import Region

        # The reference rows each process keeps in memory are read again after a change (reference.py).
        post_save.connect(reference.changed, sender=Region, dispatch_uid="ashyq.core.reference.region.save")
        post_delete.connect(reference.changed, sender=Region, dispatch_uid="ashyq.core.reference.region.delete")
        post_migrate.connect(reference.changed, sender=self, dispatch_uid="ashyq.core.reference.migrate")
