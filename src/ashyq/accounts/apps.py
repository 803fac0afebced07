from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ashyq.accounts"
    label = "accounts"
