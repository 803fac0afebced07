from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "ashyq.moderation"
    label = "moderation"

    def ready(self):
        from ashyq.core.permissions import register_rule
        from ashyq.core.registry import register_panel
        from ashyq.dialogue import registry

        from . import appeal_panel, redaction, selectors

        # The public reads officials' reasons and legal grounds only through the redaction of personal data.
        registry.register_public_text_filter(redaction.redact)
        # The appeal page offers the public a form to report abuse on a published appeal.
        register_panel("appeal_end", appeal_panel.report_abuse_panel)
        # The templates' `can.moderate`: the moderation queue and the comments on drafts.
        register_rule("moderate", selectors.can_moderate)
