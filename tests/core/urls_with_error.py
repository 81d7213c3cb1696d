"""The project's URLs plus one view that crashes, to see the 500 page through the real handler."""

from django.urls import path

from cqpt_portal.urls import handler403, handler404, handler500
from cqpt_portal.urls import urlpatterns as project_urlpatterns


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [*project_urlpatterns, path("test-crash/", crash)]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
