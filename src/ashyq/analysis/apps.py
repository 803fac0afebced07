from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "ashyq.analysis"
    label = "analysis"

    def ready(self):
        from ashyq.core.registry import register_panel
        from ashyq.dialogue import registry
        from ashyq.dialogue.signals import event_appended

        from . import appeal_panel, body_suggestions, signals

        # The analysis follows the record: each new event refreshes the appeal's rows after commit, and a
        # new appeal is classified then (so a slow or missing model never blocks the submission).
        event_appended.connect(signals.on_event_appended, dispatch_uid="ashyq.analysis.on_event_appended")
        # The appeal page's content-analysis panel (for those who may label), and body suggestions on the form.
        register_panel("appeal_after_actions", appeal_panel.appeal_panel)
        registry.register_form_assistant(body_suggestions.FormAssistant())
