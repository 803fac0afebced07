from django.urls import path

from . import label_views, suggestion_views

app_name = "analysis_labels"
urlpatterns = [
    path("appeals/<int:pk>/labels/<slug:task>/", label_views.set_label, name="set"),
    path("suggest-bodies/", suggestion_views.suggest_bodies, name="suggest-bodies"),
]
