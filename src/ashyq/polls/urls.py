from django.urls import path

from . import views

app_name = "polls"
urlpatterns = [
    path("", views.poll_list, name="index"),
    path("new/", views.new_poll, name="new"),
    path("<int:pk>/", views.poll_detail, name="detail"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/results.csv", views.results_csv, name="results-csv"),
]
