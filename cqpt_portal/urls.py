from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from django_otp.admin import OTPAdminSite

from cqpt_portal.accounts.views import healthz

# The Django admin asks for the second factor too.
admin.site.__class__ = OTPAdminSite
admin.site.site_header = "Portail CQPT – administration"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("compte/", include("cqpt_portal.accounts.urls")),
    path("notifications/", include("cqpt_portal.notifications.urls")),
    path("audit/", include("cqpt_portal.audit.urls")),
    path("candidature/", include("candidates.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("cpne/", include("cpne.urls")),
    path("financement/", include("funding.urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = "cqpt_portal.errors.permission_denied"
handler404 = "cqpt_portal.errors.page_not_found"
handler500 = "cqpt_portal.errors.server_error"
