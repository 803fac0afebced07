"""The project's URLs plus /bench/trivial, served only under ashyq.benchdata.settings (benchmarks)."""

from django.http import HttpResponse
from django.urls import path

from ashyq.urls import urlpatterns as project_urlpatterns


def trivial(request):
    """The baseline: a Django view doing no work, behind the full middleware stack."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial", trivial, name="bench-trivial"), *project_urlpatterns]
