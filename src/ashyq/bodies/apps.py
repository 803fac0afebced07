from django.apps import AppConfig


class BodiesConfig(AppConfig):
    name = "ashyq.bodies"
    label = "bodies"
