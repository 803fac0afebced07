from django.urls import re_path

from . import views

app_name = "open311"
urlpatterns = [
    re_path(r"^services\.(?P<fmt>json|xml)$", views.services_view, name="services"),
    re_path(r"^requests\.(?P<fmt>json|xml)$", views.requests_view, name="requests"),
    re_path(r"^requests/(?P<number>[\w-]{1,20})\.(?P<fmt>json|xml)$", views.request_detail, name="request"),
]
