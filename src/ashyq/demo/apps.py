from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ashyq.demo"
    label = "demo"
