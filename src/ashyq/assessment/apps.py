from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "ashyq.assessment"
    label = "assessment"

    def ready(self):
        from django.db.models.signals import post_save

        from ashyq.dialogue.models import AppealEvent

        from . import signals

        # Figures follow events: each new event of an appeal refreshes the figures it touches, after commit.
        post_save.connect(signals.on_event_saved, sender=AppealEvent, dispatch_uid="ashyq.assessment.on_event_saved")
