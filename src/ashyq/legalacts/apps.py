from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalactsConfig(AppConfig):
    name = "ashyq.legalacts"
    verbose_name = _("Open legal acts")

    def ready(self):
        # Lower apps show our panels and read our figures through core's registry; they never import us.
        from . import hooks

        hooks.register()
