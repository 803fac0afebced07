from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "ashyq.opendata"
    verbose_name = _("Open data")

    def ready(self):
        from ashyq.core.permissions import register_rule

        from . import selectors, signals

        # The templates' `can.publish_data` (the link to the publisher's pages), the same rule those pages apply.
        register_rule("publish_data", selectors.publishes_data)
        # The catalogue's cached public pages are rendered afresh after a dataset, resource or version is saved.
        signals.dataset_changed.connect(_catalogue_changed, dispatch_uid="ashyq.opendata.pagecache")
        # datastore_search's q folds case as Python does (SQLite's own LOWER folds ASCII letters only).
        connection_created.connect(_sqlite_functions, dispatch_uid="ashyq.opendata.sqlite_functions")


def _catalogue_changed(sender, **kwargs):
    from ashyq.core import pagecache

    pagecache.bump(pagecache.DATA)


def _sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("ashyq_lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value
