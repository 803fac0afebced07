from django.contrib import admin
from django.urls import include, path, re_path

from ashyq.api import api
from ashyq.bodies import views as bodies_views
from ashyq.core import health, language_draft
from ashyq.core import views as core_views
from ashyq.dialogue import public_views
from ashyq.opendata import ckan as opendata_ckan
from ashyq.publicdata import views as publicdata_views

urlpatterns = [
    path("", publicdata_views.home, name="home"),
    # The language switcher: a GET needing no CSRF token, so public pages stay shareable (core/views.py).
    path("i18n/setlang/", core_views.switch_language, name="set_language"),
    # The language buttons of a page whose form keeps what was typed (core/language_draft.py); then set_language.
    path("i18n/keep/", language_draft.keep, name="language-keep"),
    path("health/", health.health, name="health"),  # load balancers and monitoring (core/health.py)
    path("accounts/", include("ashyq.accounts.urls")),
    path("appeals/", include("ashyq.dialogue.urls")),
    path("bodies/", bodies_views.body_list, name="bodies"),
    path("bodies/<slug:slug>/", public_views.body_page, name="body"),
    path("open-data/appeals/", publicdata_views.open_data, name="open-data"),
    re_path(r"^open-data/appeals/(?P<name>[a-z_]+\.(?:csv|json|py))$", publicdata_views.open_data_file, name="open-data-file"),
    path("open-data/checkpoints.json", publicdata_views.checkpoints, name="record-checkpoints"),
    path("open311/v2/", include("ashyq.open311.urls")),
    path("moderation/", include("ashyq.moderation.urls")),
    path("assessment/", include("ashyq.assessment.urls")),
    path("analysis/", include("ashyq.analysis.urls")),
    path("analysis/", include("ashyq.analysis.label_urls")),  # labels on the appeal page, body suggestions for the form
    path("data/", include("ashyq.opendata.urls")),
    path("budget/", include("ashyq.budget.urls")),
    path("legal-acts/", include("ashyq.legalacts.urls")),
    path("polls/", include("ashyq.polls.urls")),
    path("blogs/", include("ashyq.blogs.urls")),
    path("api/3/action/<str:name>", opendata_ckan.action, name="ckan-action"),
    path("api/action/<str:name>", opendata_ckan.action),  # CKAN serves the unversioned path too; ckanapi calls it
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
