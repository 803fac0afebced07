from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from ashyq.api import api
from ashyq.bodies import views as bodies_views

urlpatterns = [
    path("", TemplateView.as_view(template_name="core/home.html"), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("ashyq.accounts.urls")),
    path("appeals/", include("ashyq.dialogue.urls")),
    path("bodies/", bodies_views.body_list, name="bodies"),
    path("moderation/", include("ashyq.moderation.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
