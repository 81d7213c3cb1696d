from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CANDIDATE = "candidate", _("Candidat")
    EMPLOYER = "employer", _("Employeur")
    AUVICOM_REVIEWER = "auvicom_reviewer", _("AUVICOM – recevabilité")
    AUVICOM_FUNDING = "auvicom_funding", _("AUVICOM – financement")
    EVALUATOR = "evaluator", _("Évaluateur")
    EVALUATOR_MANAGER = "evaluator_manager", _("Responsable d'organisme évaluateur")
    CPNE_MEMBER = "cpne_member", _("Membre de la CPNE")
    CPNE_SECRETARY = "cpne_secretary", _("Secrétaire de la CPNE")
    ADMIN = "admin", _("Administrateur")


SELF_REGISTERED_ROLES = frozenset({Role.CANDIDATE, Role.EMPLOYER})
AUVICOM_ROLES = frozenset({Role.AUVICOM_REVIEWER, Role.AUVICOM_FUNDING})
EVALUATOR_ROLES = frozenset({Role.EVALUATOR, Role.EVALUATOR_MANAGER})
CPNE_ROLES = frozenset({Role.CPNE_MEMBER, Role.CPNE_SECRETARY})
# Roles that must log in with a second factor (TOTP).
SECOND_FACTOR_ROLES = frozenset(set(Role) - SELF_REGISTERED_ROLES)
