from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollsConfig(AppConfig):
    name = "ashyq.polls"
    verbose_name = _("Polls")

    def ready(self):
        from ashyq.core.permissions import register_rule

        from . import permissions

        # The templates' `can.open_polls` (the link to the new-poll form), the same rule the form and the service apply.
        register_rule("open_polls", permissions.can_open_polls)
