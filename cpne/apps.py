from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CpneConfig(AppConfig):
    name = "cpne"
    verbose_name = _("CPNE")
