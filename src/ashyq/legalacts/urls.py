from django.urls import path, re_path

from . import views

app_name = "legalacts"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new_draft, name="new"),
    path("processes/<int:pk>/", views.process_page, name="process"),
    path("processes/<int:pk>/comment", views.comment, name="comment"),
    path("processes/<int:pk>/diff/", views.diff_page, name="diff"),
    path("processes/<int:pk>/report/", views.report_page, name="report"),
    re_path(r"^processes/(?P<pk>\d+)/report\.(?P<fmt>csv|json)$", views.report_download, name="report-download"),
    path("processes/<int:pk>/manage/", views.manage, name="manage"),
    path("processes/<int:pk>/manage/<slug:action>", views.manage_action, name="manage-action"),
    path("comments/<int:pk>/<slug:action>", views.comment_action, name="comment-action"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("acts/", views.acts, name="acts"),
    path("acts/<slug:code>/", views.act_page, name="act"),
    path("agreements/", views.agreements, name="agreements"),
    path("bodies/<slug:slug>/feed.atom", views.body_feed, name="body-feed"),
]
