from django.apps import AppConfig


class DialogueConfig(AppConfig):
    name = "ashyq.dialogue"
    label = "dialogue"
