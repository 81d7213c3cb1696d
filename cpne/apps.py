from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CpneConfig(AppConfig):
    name = "cpne"
    verbose_name = _("CPNE")

    def ready(self):
        from cqpt_portal.audit.labels import register_action_labels
        from personal_data.registry import Provider, register

        from . import personal_data as pd

        register(Provider("cpne", export=pd.export, erase=pd.erase, retention=pd.retention, order=45))
        register_action_labels(
            "*",
            {
                "meeting_created": _("Réunion créée"),
                "attendance_recorded": _("Présences enregistrées"),
                "conflict_declared": _("Conflit d'intérêts déclaré"),
                "decision_recorded": _("Décision enregistrée (en attente de clôture)"),
                "agenda_postponed": _("Dossier reporté à la réunion suivante"),
            },
        )
