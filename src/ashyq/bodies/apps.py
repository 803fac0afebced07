from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class BodiesConfig(AppConfig):
    name = "ashyq.bodies"
    label = "bodies"

    def ready(self):
        from ashyq.core import reference

        from . import public_pages
        from .models import Body

        # Each process keeps the bodies a submission names in memory until one changes (core/reference.py).
        reference.follow(Body)

        # The cached public pages show bodies' names and heads: an edit shows at once (public_pages.py).
        post_save.connect(public_pages.on_body_changed, sender=Body, dispatch_uid="ashyq.bodies.public_pages.save")
        post_delete.connect(public_pages.on_body_changed, sender=Body, dispatch_uid="ashyq.bodies.public_pages.delete")
