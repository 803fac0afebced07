from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "ashyq.analysis"
    label = "analysis"

    def ready(self):
        from django.db.models.signals import post_save

        from ashyq.dialogue.models import AppealEvent

        from . import signals

        # The analysis follows the record: each new event refreshes the appeal's rows after commit, and a
        # new appeal is classified then (so a slow or missing model never blocks the submission).
        post_save.connect(signals.on_event_saved, sender=AppealEvent, dispatch_uid="ashyq.analysis.on_event_saved")
