from django.urls import path

from . import views

app_name = "blogs"

urlpatterns = [
    path("", views.index, name="index"),
    path("bodies/<slug:slug>/", views.body_blog, name="body"),
    path("posts/<int:pk>/", views.post_page, name="post"),
    path("conferences/<int:pk>/", views.conference_page, name="conference"),
    path("manage/", views.manage, name="manage"),
    path("manage/posts/new/", views.post_edit, name="post-new"),
    path("manage/posts/<int:pk>/", views.post_edit, name="post-edit"),
    path("manage/posts/<int:pk>/publication", views.post_publication, name="post-publication"),
    path("manage/conferences/new/", views.conference_edit, name="conference-new"),
    path("manage/conferences/<int:pk>/", views.conference_edit, name="conference-edit"),
    path("manage/conferences/<int:pk>/<slug:action>", views.conference_action, name="conference-action"),
    path("manage/delegates/", views.delegates, name="delegates"),
    path("manage/delegates/<int:pk>/withdraw", views.withdraw_delegate, name="delegate-withdraw"),
]
