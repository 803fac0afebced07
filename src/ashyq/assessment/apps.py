from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "ashyq.assessment"
    label = "assessment"

    def ready(self):
        from ashyq.dialogue.signals import event_appended
        from ashyq.legalacts.signals import process_step
        from ashyq.opendata.signals import dataset_changed

        from . import signals

        # Figures follow events: each new event of an appeal refreshes the figures it touches, after commit.
        event_appended.connect(signals.on_event_appended, dispatch_uid="ashyq.assessment.on_event_appended")
        # And the open-data figures follow the body's publications.
        dataset_changed.connect(signals.on_dataset_changed, dispatch_uid="ashyq.assessment.on_dataset_changed")
        # And the answers to the public's comments on the body's drafts.
        process_step.connect(signals.on_legal_process_step, dispatch_uid="ashyq.assessment.on_legal_process_step")
