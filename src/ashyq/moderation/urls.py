from django.urls import path

from . import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("report/<int:pk>/", views.report, name="report"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<int:pk>/hidden/restore/", views.restore, name="restore"),
    path("<int:pk>/hidden/keep/", views.keep_hidden, name="keep_hidden"),
    path("<int:pk>/<slug:target>/", views.item, name="item"),
    path("<int:pk>/<slug:target>/redactions/add/", views.add_redaction, name="add_redaction"),
    path("<int:pk>/<slug:target>/redactions/remove/", views.remove_redaction, name="remove_redaction"),
    path("<int:pk>/<slug:target>/approve/", views.approve, name="approve"),
    path("<int:pk>/<slug:target>/refuse/", views.refuse, name="refuse"),
]
