from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonalDataConfig(AppConfig):
    name = "personal_data"
    verbose_name = _("Données personnelles")

    def ready(self):
        from cqpt_portal.audit.labels import register_action_labels

        from . import providers

        providers.register_all()
        register_action_labels(
            "*",
            {
                "data_export_requested": _("Archive des données personnelles demandée"),
                "data_export_built": _("Archive des données personnelles préparée"),
                "data_export_downloaded": _("Archive des données personnelles téléchargée"),
                "erasure_applied": _("Effacement des données personnelles"),
                "erasure_acknowledged": _("Demande d'effacement vue par AUVICOM"),
                "retention_applied": _("Durées de conservation appliquées"),
                "retention_dry_run": _("Durées de conservation simulées"),
                "contact_rectified": _("Coordonnées rectifiées"),
                "name_change_requested": _("Changement de nom demandé"),
                "name_change_accepted": _("Changement de nom accepté"),
                "name_change_refused": _("Changement de nom refusé"),
            },
        )
