from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationState(models.TextChoices):
    PENDING = "pending", _("En attente d'envoi")
    # Handed to the mail server under a lease: if the worker dies, the sweep retries after the lease.
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec")


class NotificationKind(models.TextChoices):
    """What a notification is about: its e-mail templates (notifications/email/<kind>_*.txt) are keyed by it."""

    # accounts
    EMAIL_CONFIRMATION = "email_confirmation", _("Confirmation de l'adresse e-mail")
    REGISTRATION_DUPLICATE = "registration_duplicate", _("Inscription avec une adresse déjà utilisée")
    PASSWORD_RESET = "password_reset", _("Réinitialisation du mot de passe")
    EMPLOYER_VERIFIED = "employer_verified", _("Compte employeur vérifié")
    # the dossier, for the candidate and the employers it is shared with
    DOSSIER_SUBMITTED = "dossier_submitted", _("Dossier déposé")
    DOSSIER_UNDER_REVIEW = "dossier_under_review", _("Dossier pris en charge par AUVICOM")
    DOSSIER_ADMISSIBLE = "dossier_admissible", _("Dossier recevable")
    DOSSIER_INCOMPLETE = "dossier_incomplete", _("Dossier incomplet")
    DOSSIER_INADMISSIBLE = "dossier_inadmissible", _("Dossier irrecevable")
    DOSSIER_WITHDRAWN = "dossier_withdrawn", _("Candidature retirée")
    DOSSIER_DECISION_CORRECTED = "dossier_decision_corrected", _("Décision de recevabilité corrigée")
    DOSSIER_STATE_EMPLOYER = "dossier_state_employer", _("Avancement du dossier d'un salarié")
    # the dossier, for AUVICOM
    DOSSIER_SUBMITTED_STAFF = "dossier_submitted_staff", _("Nouveau dossier déposé")
    DOSSIER_WITHDRAWN_STAFF = "dossier_withdrawn_staff", _("Dossier retiré par le candidat")
    ADMISSIBILITY_EXPORT_READY = "admissibility_export_ready", _("Export CSV des dossiers prêt")
    # employers and their employees
    INVITATION_RECEIVED = "invitation_received", _("Proposition de candidature reçue")
    INVITATION_ACCEPTED = "invitation_accepted", _("Proposition de candidature acceptée")
    INVITATION_DECLINED = "invitation_declined", _("Proposition de candidature déclinée")
    PERIOD_CONFIRMED = "period_confirmed", _("Heures confirmées par l'employeur")
    PERIOD_DISPUTED = "period_disputed", _("Heures contestées par l'employeur")
    # the evaluation
    ASSIGNMENT_RECEIVED = "assignment_received", _("Évaluation proposée à votre organisme")
    ASSIGNMENT_REMINDER = "assignment_reminder", _("Relance : évaluation en attente de réponse")
    ASSIGNMENT_DECLINED = "assignment_declined", _("Évaluation refusée par l'organisme")
    EVALUATION_STARTED = "evaluation_started", _("Évaluation commencée")
    EVALUATOR_NAMED = "evaluator_named", _("Candidat confié à un évaluateur")
    EVIDENCE_SUBMITTED = "evidence_submitted", _("Dossier de preuves remis")
    EVIDENCE_RETURNED = "evidence_returned", _("Preuves complémentaires demandées")
    PHASE_CLOSED = "phase_closed", _("Phase de l'évaluation terminée")
    APPOINTMENT_PLANNED = "appointment_planned", _("Rendez-vous d'accompagnement")
    APPOINTMENT_CHANGED = "appointment_changed", _("Rendez-vous reporté ou annulé")
    WORKPLACE_SCHEDULED = "workplace_scheduled", _("Mise en situation planifiée")
    EVALUATION_TRANSMITTED = "evaluation_transmitted", _("Résultats transmis à la CPNE")
    EVALUATION_ABANDONED = "evaluation_abandoned", _("Évaluation abandonnée")
    # personal data (RGPD)
    DATA_ARCHIVE_READY = "data_archive_ready", _("Archive de vos données prête")
    DRAFT_DELETION_WARNING = "draft_deletion_warning", _("Brouillon bientôt supprimé")
    NAME_CHANGE_DECIDED = "name_change_decided", _("Demande de changement de nom traitée")
    # the CPNE's decisions (cpne/)
    CPNE_AWARDED = "cpne_awarded", _("CQPT délivré par la CPNE")
    CPNE_NOT_AWARDED = "cpne_not_awarded", _("CQPT non délivré par la CPNE")
    CPNE_DEFERRED = "cpne_deferred", _("Décision de la CPNE ajournée")
    CPNE_AWARD_REVOKED = "cpne_award_revoked", _("Délivrance du CQPT annulée")
    CPNE_DECISION_STAFF = "cpne_decision_staff", _("Décision de la CPNE sur un dossier")
    # administrators
    TEST = "test", _("Message d'essai")
