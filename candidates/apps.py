from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = _("Candidatures")

    def ready(self):
        from cqpt_portal.audit.labels import register_action_labels

        register_action_labels(
            "*",
            {
                "dossier_created": _("Dossier créé depuis une proposition"),
                "company_declared": _("Entreprise déclarée"),
                "invitation_sent": _("Proposition envoyée"),
                "invitation_resent": _("Proposition renvoyée"),
                "invitation_email_sent": _("E-mail de proposition envoyé"),
                "invitation_accepted": _("Proposition acceptée"),
                "invitation_declined": _("Proposition déclinée"),
                "invitation_revoked": _("Proposition annulée"),
                "invitation_expired": _("Proposition expirée"),
                "period_confirmed": _("Heures confirmées par l'employeur"),
                "period_disputed": _("Heures contestées par l'employeur"),
                "document_uploaded": _("Document déposé"),
                "document_deleted": _("Document supprimé"),
                "document_viewed": _("Document consulté"),
                "document_downloaded": _("Document téléchargé"),
                "dossier_fields_changed": _("Informations du dossier modifiées"),
                "admissibility_exported": _("Export CSV des dossiers"),
                "admissibility_export_downloaded": _("Export CSV des dossiers téléchargé"),
            },
        )
