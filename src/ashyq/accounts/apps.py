from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save


class AccountsConfig(AppConfig):
    name = "ashyq.accounts"
    label = "accounts"

    def ready(self):
        from ashyq.core import api_auth, identity
        from ashyq.core.permissions import register_rule

        from . import api_tokens, permissions, public_pages, selectors, signals  # noqa: F401 (signals connects the sign-in lockout's counters)
        from .models import User

        # A person shown by name on public appeals who changes their name: the cached pages show the new one at once.
        pre_save.connect(public_pages.remember_name, sender=User, dispatch_uid="ashyq.accounts.public_pages.before")
        post_save.connect(public_pages.on_user_saved, sender=User, dispatch_uid="ashyq.accounts.public_pages.after")

        # The API's bearer tokens are accounts' own: the auth classes in core ask this lookup.
        api_auth.register_token_lookup(api_tokens.user_for_token)
        # Levels of verification are read from accounts' verifications; dialogue asks core.identity.
        identity.register_level_lookup(selectors.level_of)
        # A digitally signed appeal or answer (dialogue) is checked against the account's IIN here.
        from . import services

        identity.register_signer_confirmation(services.confirm_signer)
        # An appeal signed by a one-time code to the account's confirmed phone (dialogue) is sent and checked here.
        identity.register_sms_signing(send=services.send_signing_code, confirm=services.confirm_signing_code)
        # The templates' `can.verify_in_person` (the link to the reception's form), the rule its view applies.
        register_rule("verify_in_person", permissions.verifies_in_person)
