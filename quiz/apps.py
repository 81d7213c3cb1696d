from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizConfig(AppConfig):
    name = "quiz"
    verbose_name = _("Quiz")

    def ready(self):
        from personal_data.registry import Provider, register

        from . import personal_data as pd

        register(Provider("quiz", export=pd.export, erase=pd.erase, retention=pd.retention, order=35))
