from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.generic import TemplateView
from django_otp.admin import OTPAdminSite

from cqpt_portal import health
from cqpt_portal.views import accessibility_statement
from personal_data.views import privacy


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says: send them to the static icon."""
    return redirect(static("img/favicon.svg"))


# The Django admin asks for the second factor too.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Portail CQPT – administration"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", health.liveness, name="healthz"),
    path("readyz", health.readiness, name="readyz"),
    path("favicon.ico", favicon, name="favicon"),
    path("accessibilite/", accessibility_statement, name="accessibility"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("compte/", include("cqpt_portal.accounts.urls")),
    path("notifications/", include("cqpt_portal.notifications.urls")),
    path("audit/", include("cqpt_portal.audit.urls")),
    path("candidature/", include("candidates.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("quiz/", include("quiz.urls")),
    path("cpne/", include("cpne.urls")),
    path("financement/", include("funding.urls")),
    path("donnees-personnelles/", include("personal_data.urls")),
    path("confidentialite/", privacy, name="privacy"),
    path("django-admin/", admin.site.urls),
]

handler403 = "cqpt_portal.errors.permission_denied"
handler404 = "cqpt_portal.errors.page_not_found"
handler500 = "cqpt_portal.errors.server_error"
