from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ashyq.core"
    label = "core"
