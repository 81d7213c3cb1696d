from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Évaluation")

    def ready(self):
        from cqpt_portal.audit.labels import register_action_labels

        register_action_labels(
            "evaluation.evaluation",
            {
                "assignment_reminded": _("Relance de l'organisme"),
                "appointment_planned": _("Rendez-vous proposé"),
                "appointment_rescheduled": _("Rendez-vous reporté"),
                "appointment_cancelled": _("Rendez-vous annulé"),
                "evidence_added": _("Preuve ajoutée"),
                "evidence_removed": _("Preuve retirée"),
                "competencies_assessed": _("Compétences évaluées"),
                "workplace_grid_uploaded": _("Grille d'observation signée jointe"),
                "synthesis_saved": _("Synthèse enregistrée"),
            },
        )
