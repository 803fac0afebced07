from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "ashyq.moderation"
    label = "moderation"
