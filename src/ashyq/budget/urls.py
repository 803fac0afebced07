from django.urls import path

from . import views

app_name = "budget"

urlpatterns = [
    path("", views.index, name="index"),
    path("administrators/<str:code>/", views.administrator, name="administrator"),
    path("bodies/<slug:slug>/", views.body_budget, name="body"),
    path("regions/", views.regions, name="regions"),
    path("regions/<str:iso>/", views.region, name="region"),
    path("search/", views.search, name="search"),
    path("citizens/<int:year>/", views.citizens, name="citizens"),
    path("datapackage.json", views.datapackage, name="datapackage"),
    path("imports/<int:pk>/datapackage.json", views.datapackage, name="import-datapackage"),
]
