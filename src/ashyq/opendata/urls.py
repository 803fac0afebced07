from django.urls import path, re_path

from . import publish_views, showcase_views, views

app_name = "opendata"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("datasets/<slug:slug>/", views.dataset_page, name="dataset"),
    path("datasets/<slug:slug>/resources/<str:pk>/", views.resource_page, name="resource"),
    path("datasets/<slug:slug>/resources/<str:pk>/v<int:version_number>/download", views.download, name="download"),
    path("datasets/<slug:slug>/resources/<str:pk>/diff/", views.diff_page, name="diff"),
    path("publish/", publish_views.my_datasets, name="publisher"),
    path("publish/new/", publish_views.dataset_new, name="dataset-new"),
    path("publish/<slug:slug>/edit/", publish_views.dataset_edit, name="dataset-edit"),
    path("publish/<slug:slug>/resources/new/", publish_views.resource_new, name="resource-new"),
    path("publish/<slug:slug>/resources/<str:pk>/upload/", publish_views.upload, name="upload"),
    path("publish/<slug:slug>/resources/<str:pk>/v<int:version_number>/report/", publish_views.report, name="report"),
    path("publish/<slug:slug>/resources/<str:pk>/uploads/<str:job>/", publish_views.upload_progress, name="upload-progress"),
    path("publish/<slug:slug>/withdraw/", publish_views.withdraw, name="withdraw-dataset"),
    path("publish/<slug:slug>/resources/<str:pk>/withdraw/", publish_views.withdraw, name="withdraw-resource"),
    path(
        "publish/<slug:slug>/resources/<str:pk>/v<int:version_number>/withdraw/", publish_views.withdraw, name="withdraw-version"
    ),
    re_path(r"^catalog\.(?P<fmt>ttl|rdf|jsonld)$", views.dcat_catalog, name="dcat-catalog"),
    re_path(r"^datasets/(?P<slug>[-a-zA-Z0-9_]+)/dcat\.(?P<fmt>ttl|rdf|jsonld)$", views.dcat_dataset, name="dcat-dataset"),
    path("datasets/<slug:slug>/datapackage.json", views.dataset_datapackage, name="datapackage"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("silk-road/", showcase_views.explorer, name="silk-road"),
    path("silk-road/compare/", showcase_views.compare, name="compare"),
    re_path(r"^silk-road/compare\.(?P<fmt>csv|json)$", showcase_views.compare_download, name="compare-download"),
    path("silk-road/<slug:country>/", showcase_views.country, name="country"),
]
