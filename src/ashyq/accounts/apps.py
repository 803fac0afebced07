from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ashyq.accounts"
    label = "accounts"

    def ready(self):
        from ashyq.core import api_auth, identity
        from ashyq.core.permissions import register_rule

        from . import api_tokens, permissions, selectors, signals  # noqa: F401 (signals connects the sign-in lockout's counters)

        # The API's bearer tokens are accounts' own: the auth classes in core ask this lookup.
        api_auth.register_token_lookup(api_tokens.user_for_token)
        # Levels of verification are read from accounts' verifications; dialogue asks core.identity.
        identity.register_level_lookup(selectors.level_of)
        # A digitally signed appeal or answer (dialogue) is checked against the account's IIN here.
        from . import services

        identity.register_signer_confirmation(services.confirm_signer)
        # The templates' `can.verify_in_person` (the link to the reception's form), the rule its view applies.
        register_rule("verify_in_person", permissions.verifies_in_person)
