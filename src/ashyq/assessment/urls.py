from django.urls import path, re_path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.ranking, name="ranking"),
    re_path(r"^ranking\.(?P<fmt>csv|json)$", views.ranking_download, name="ranking-download"),
    path("bodies/<slug:slug>/", views.scorecard, name="scorecard"),
    re_path(r"^bodies/(?P<slug>[-a-z0-9]+)\.(?P<fmt>csv|json)$", views.scorecard_download, name="scorecard-download"),
    re_path(r"^funnel\.(?P<fmt>csv|json)$", views.funnel_download, name="funnel-download"),
    path("regions/", views.regions, name="regions"),
    re_path(r"^regions\.(?P<fmt>csv|json)$", views.regions_download, name="regions-download"),
    path("channels/", views.channels, name="channels"),
    re_path(r"^channels\.(?P<fmt>csv|json)$", views.channels_download, name="channels-download"),
    path("methodology/", views.methodology, name="methodology"),
    path("methodology.json", views.methodology_json, name="methodology-json"),
    path("monitor/", views.dashboard, name="dashboard"),
]
