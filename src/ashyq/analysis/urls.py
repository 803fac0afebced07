from django.urls import path, re_path

from . import views

app_name = "analysis"
urlpatterns = [
    path("", views.index, name="index"),
    path("compare/", views.compare, name="compare"),
    re_path(r"^compare\.(?P<fmt>csv|json)$", views.compare_download, name="compare-download"),
    path("bodies/<slug:slug>/", views.body_report, name="body"),
    re_path(
        rf"^bodies/(?P<slug>[-a-zA-Z0-9_]+)/(?P<table>{views.TABLE_PATTERN})\.(?P<fmt>csv|json)$",
        views.body_table,
        name="body-table",
    ),
    re_path(rf"^(?P<table>{views.TABLE_PATTERN})\.(?P<fmt>csv|json)$", views.all_table, name="table"),
]
