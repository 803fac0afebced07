from django.apps import AppConfig


class PublicdataConfig(AppConfig):
    """The open-data export of the appeals: it reads dialogue, assessment and analysis, so it sits above them."""

    name = "ashyq.publicdata"
    label = "publicdata"
