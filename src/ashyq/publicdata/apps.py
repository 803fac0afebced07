from django.apps import AppConfig


class PublicdataConfig(AppConfig):
    """The open-data export of the appeals: it reads dialogue, assessment and analysis, so it sits above them."""

    name = "ashyq.publicdata"
    label = "publicdata"

    def ready(self):
        from django.db.models.signals import post_save

        from ashyq.dialogue.models import AppealEvent

        from . import withdrawal

        # A hidden appeal leaves the served export right after the hide commits (withdrawal.py).
        post_save.connect(withdrawal.on_event_saved, sender=AppealEvent, dispatch_uid="ashyq.publicdata.withdrawal")
