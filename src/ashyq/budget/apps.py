from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    name = "ashyq.budget"
    verbose_name = _("Open budget")

    def ready(self):
        from ashyq.core.registry import register_panel

        from . import panels

        # Money beside results on a body's page and its scorecard (core/registry.py).
        register_panel("body", panels.body_panel)
        register_panel("scorecard", panels.scorecard_panel)
