from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ashyq.accounts"
    label = "accounts"

    def ready(self):
        from ashyq.core import api_auth, identity

        from . import api_tokens, selectors, signals  # noqa: F401 (signals connects the sign-in lockout's counters)

        # The API's bearer tokens are accounts' own: the auth classes in core ask this lookup.
        api_auth.register_token_lookup(api_tokens.user_for_token)
        # Levels of verification are read from accounts' verifications; dialogue asks core.identity.
        identity.register_level_lookup(selectors.level_of)
