from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    name = "ashyq.budget"
    verbose_name = _("Open budget")

    def ready(self):
        from ashyq.bodies import panels

        from . import panels as budget_panels

        panels.register("body", budget_panels.body_panel)
        panels.register("scorecard", budget_panels.scorecard_panel)
