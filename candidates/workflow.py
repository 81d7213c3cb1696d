"""The dossier's state machine: its transitions as one table, on the shared engine (cqpt_portal.workflow).

Each transition says who may apply it (predicates of candidates/rules.py and
accounts/rules.py), its guard, its effect, its form, its labels for staff and
for the candidate, its success message and who hears of it. Views call
`DOSSIER_WORKFLOW.apply(...)` (or `submit_form`) and render the buttons
`DOSSIER_WORKFLOW.available(user, dossier)` returns; nothing else writes
`Dossier.state`.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.rules import is_administrator, is_admissibility_reviewer, is_cpne_secretary
from cqpt_portal.accounts.selectors import active_users_with_role, verified_employers_of
from cqpt_portal.notifications.enums import NotificationKind as Kind
from cqpt_portal.workflow import Transition, Workflow, field_problem

from .enums import (
    WITHDRAWABLE_STATES,
    AdmissibilityOutcome,
    DossierState,
    InadmissibilityReason,
    missing_item_label,
)
from .forms.admissibility import (
    AdmissibleForm,
    ClaimForm,
    CorrectionForm,
    InadmissibleForm,
    IncompleteForm,
    ReleaseForm,
)
from .forms.candidate import WithdrawalForm
from .models import AdmissibilityDecision, Dossier
from .rules import evaluates_dossier, is_dossier_owner, is_dossier_reviewer, manages_dossier_evaluation
from .services import next_dossier_number, submission_problems, submission_record

# --- who hears of it -----------------------------------------------------------------------


def sharing_employers(dossier):
    """The verified employer accounts of the dossier's company, when the candidate shares it with them."""
    if not dossier.share_with_employer or dossier.company_id is None:
        return []
    return list(verified_employers_of(company_id=dossier.company_id))


def _to_candidate(kind):
    return lambda d, u, data: [(d.candidate, kind)]


def _to_candidate_and_employers(kind):
    return lambda d, u, data: [(r, kind) for r in [d.candidate, *sharing_employers(d)]]


def _to_employers(kind):
    return lambda d, u, data: [(e, kind) for e in sharing_employers(d)]


def _notify_submit(dossier, actor, data):
    return (
        [(dossier.candidate, Kind.DOSSIER_SUBMITTED)]
        + [(r, Kind.DOSSIER_SUBMITTED_STAFF) for r in active_users_with_role(Role.AUVICOM_REVIEWER)]
        + [(e, Kind.DOSSIER_STATE_EMPLOYER) for e in sharing_employers(dossier)]
    )


def _notify_withdraw(dossier, actor, data):
    return (
        [(dossier.candidate, Kind.DOSSIER_WITHDRAWN)]
        + ([(dossier.reviewer, Kind.DOSSIER_WITHDRAWN_STAFF)] if dossier.reviewer_id else [])
        + [(e, Kind.DOSSIER_STATE_EMPLOYER) for e in sharing_employers(dossier)]
    )


def dossier_link(dossier: Dossier, recipient) -> str:
    """The page of this dossier for this recipient: the one place a dossier notification's link is built."""
    if recipient.pk == dossier.candidate_id:
        return reverse("candidates:dossier_detail", args=[dossier.pk])
    if recipient.role == Role.EMPLOYER:
        return reverse("candidates:employer_dashboard") + "#dossiers"
    if (recipient.role == Role.AUVICOM_REVIEWER or is_administrator(recipient)) and dossier.submitted_at:
        return reverse("candidates:admissibility_detail", args=[dossier.pk])
    return reverse("accounts:dashboard")


def _notification_context(dossier: Dossier, data: dict) -> dict:
    return {
        "number": dossier.number or "",
        "candidate_name": dossier.display_name,
        "state": dossier.state,
        "comment": data.get("comment", ""),
        "missing_items": [missing_item_label(item) for item in data.get("missing_items", [])],
        "reason": data.get("reason", ""),
        "state_label": str(dossier.get_state_display()),  # CPNE (issue 9)
    }


# --- guards and effects --------------------------------------------------------------------


def _guard_submit(dossier, actor, data):
    return [p.message for p in submission_problems(dossier, reference_date=timezone.localdate())]


def _effect_submit(dossier, actor, data):
    now = timezone.now()
    if not dossier.number:
        dossier.number = next_dossier_number(year=timezone.localdate().year)
    dossier.submitted_at = now
    dossier.first_submitted_at = dossier.first_submitted_at or now
    dossier.reviewer = None
    dossier.claimed_at = None
    submission = submission_record(dossier=dossier, reference_date=timezone.localdate())
    data["submission_sequence"] = submission.sequence


def _effect_claim(dossier, actor, data):
    dossier.reviewer = actor
    dossier.claimed_at = timezone.now()


def _effect_release(dossier, actor, data):
    dossier.reviewer = None
    dossier.claimed_at = None


def _refusal_claimed_by_another(dossier, actor):
    if dossier.reviewer_id and dossier.reviewer_id != actor.pk and is_admissibility_reviewer(actor):
        return _("Ce dossier est pris en charge par un autre instructeur.")
    return None


def _record_decision(dossier, actor, outcome, data):
    AdmissibilityDecision.objects.create(
        dossier=dossier,
        submission=dossier.submissions.order_by("-sequence").first(),
        outcome=outcome,
        reason=data.get("reason", "") if outcome == AdmissibilityOutcome.INADMISSIBLE else "",
        comment=data.get("comment", ""),
        missing_items=list(data.get("missing_items", [])) if outcome == AdmissibilityOutcome.INCOMPLETE else [],
        decided_by=actor,
    )


def _guard_incomplete(dossier, actor, data):
    if not data.get("missing_items"):
        return [field_problem("missing_common", _("Indiquez au moins une pièce ou information manquante."))]
    return []


def _guard_inadmissible(dossier, actor, data):
    if data.get("reason") not in InadmissibilityReason.values:
        return [field_problem("reason", _("Choisissez le motif d'irrecevabilité."))]
    if data.get("reason") == InadmissibilityReason.OTHER and not data.get("comment"):
        return [field_problem("comment", _("Précisez le motif dans le commentaire."))]
    return []


def _guard_withdraw(dossier, actor, data):
    return [] if data.get("comment") else [field_problem("comment", _("Indiquez la raison de votre retrait."))]


def _effect_withdraw(dossier, actor, data):
    dossier.withdrawal_reason = data["comment"]


_OUTCOME_STATES = {
    AdmissibilityOutcome.ADMISSIBLE: DossierState.ADMISSIBLE,
    AdmissibilityOutcome.INCOMPLETE: DossierState.INCOMPLETE,
    AdmissibilityOutcome.INADMISSIBLE: DossierState.INADMISSIBLE,
}


def _guard_correct(dossier, actor, data):
    problems = []
    outcome = data.get("outcome")
    if outcome not in _OUTCOME_STATES:
        problems.append(field_problem("outcome", _("Choisissez la nouvelle décision.")))
    elif _OUTCOME_STATES[outcome] == dossier.state:
        problems.append(field_problem("outcome", _("La nouvelle décision est identique à la décision actuelle.")))
    if not data.get("comment"):
        problems.append(field_problem("comment", _("Une correction doit être motivée.")))
    if outcome == AdmissibilityOutcome.INCOMPLETE:
        problems += _guard_incomplete(dossier, actor, data)
    if outcome == AdmissibilityOutcome.INADMISSIBLE:
        problems += _guard_inadmissible(dossier, actor, data)
    return problems


def _effect_correct(dossier, actor, data):
    dossier.decisions.filter(revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=actor)
    _record_decision(dossier, actor, data["outcome"], data)
    return _OUTCOME_STATES[data["outcome"]]


def _decide(outcome):
    def effect(dossier, actor, data):
        _record_decision(dossier, actor, outcome, data)

    return effect


# --- the CPNE's decisions (issue 9, cpne/) ------------------------------------------------------
# Applied by cpne.workflow when the secretary closes a meeting (all its decisions at once), or when an
# administrator revokes an award on a later meeting's decision; candidates.workflow imports nothing of cpne.


def _evaluation_staff(dossier):
    """The evaluator and the managers of the evaluator organisation of this dossier."""
    from django.contrib.auth import get_user_model

    evaluation = getattr(dossier, "evaluation", None)
    if evaluation is None or evaluation.organisation_id is None:
        return []
    managers = get_user_model().objects.filter(
        role=Role.EVALUATOR_MANAGER, evaluator_organisation_id=evaluation.organisation_id, is_active=True
    )
    staff = {u.pk: u for u in managers}
    if evaluation.evaluator_id:
        staff.setdefault(evaluation.evaluator_id, evaluation.evaluator)
    return list(staff.values())


def _notify_cpne(kind):
    """The candidate and the sharing employers hear the decision; the organisation and AUVICOM too (staff kind)."""

    def notify(dossier, actor, data):
        staff = {u.pk: u for u in _evaluation_staff(dossier)}
        for reviewer in active_users_with_role(Role.AUVICOM_REVIEWER):
            staff.setdefault(reviewer.pk, reviewer)
        return [(r, kind) for r in [dossier.candidate, *sharing_employers(dossier)]] + [
            (u, Kind.CPNE_DECISION_STAFF) for u in staff.values()
        ]

    return notify


def _guard_cpne_reason(message):
    def guard(dossier, actor, data):
        return [] if (data.get("reason") or "").strip() else [field_problem("reason", message)]

    return guard


def _guard_cpne_comment(message):
    def guard(dossier, actor, data):
        return [] if data.get("comment") else [field_problem("comment", message)]

    return guard


CPNE_TRANSITIONS = [
    Transition(
        name="cpne_award",
        sources=frozenset({DossierState.TRANSMITTED_TO_CPNE}),
        target=DossierState.AWARDED,
        allowed=is_cpne_secretary | is_administrator,
        staff_label=gettext_lazy("Délivrance du CQPT par la CPNE"),
        owner_label=gettext_lazy("CQPT délivré"),
        success_message=gettext_lazy("Le CQPT est délivré."),
        style="success",
        group="cpne",
        notify=_notify_cpne(Kind.CPNE_AWARDED),
    ),
    Transition(
        name="cpne_not_award",
        sources=frozenset({DossierState.TRANSMITTED_TO_CPNE}),
        target=DossierState.NOT_AWARDED,
        allowed=is_cpne_secretary | is_administrator,
        staff_label=gettext_lazy("Non-délivrance du CQPT par la CPNE"),
        owner_label=gettext_lazy("CQPT non délivré"),
        success_message=gettext_lazy("La non-délivrance est publiée."),
        style="danger",
        group="cpne",
        guard=_guard_cpne_reason(gettext_lazy("Indiquez le motif communiqué au candidat.")),
        notify=_notify_cpne(Kind.CPNE_NOT_AWARDED),
    ),
    Transition(
        name="cpne_defer",
        sources=frozenset({DossierState.TRANSMITTED_TO_CPNE}),
        target=DossierState.IN_EVALUATION,
        allowed=is_cpne_secretary | is_administrator,
        staff_label=gettext_lazy("Décision ajournée par la CPNE"),
        owner_label=gettext_lazy("Décision ajournée : l'évaluation reprend"),
        success_message=gettext_lazy("La décision est ajournée ; l'évaluation reprend."),
        style="warning",
        group="cpne",
        guard=_guard_cpne_comment(gettext_lazy("Indiquez ce qui est demandé à l'évaluateur.")),
        notify=_notify_cpne(Kind.CPNE_DEFERRED),
    ),
    Transition(
        name="revoke_award",
        sources=frozenset({DossierState.AWARDED}),
        target=DossierState.NOT_AWARDED,
        allowed=is_administrator,
        staff_label=gettext_lazy("Annulation de la délivrance (décision ultérieure de la CPNE)"),
        owner_label=gettext_lazy("Délivrance du CQPT annulée"),
        success_message=gettext_lazy("La délivrance est annulée ; le certificat n'est plus valide."),
        style="outline-danger",
        group="cpne",
        guard=_guard_cpne_comment(gettext_lazy("Indiquez le motif de l'annulation.")),
        notify=_notify_cpne(Kind.CPNE_AWARD_REVOKED),
    ),
]


# --- the table -----------------------------------------------------------------------------

DOSSIER_WORKFLOW = Workflow(
    model=Dossier,
    changed_at_field="state_changed_at",
    select_related=("candidate",),
    link=dossier_link,
    context=_notification_context,
    stale_message=gettext_lazy(
        "Action impossible : le dossier est maintenant « %(state)s ». Quelqu'un l'a peut-être traité entre-temps."
    ),
    role_message=gettext_lazy("Votre rôle ne permet pas cette action sur ce dossier."),
    transitions=[
        Transition(
            name="submit",
            sources=frozenset({DossierState.DRAFT, DossierState.INCOMPLETE}),
            target=DossierState.SUBMITTED,
            allowed=is_dossier_owner,
            staff_label=gettext_lazy("Déposer"),
            owner_label=gettext_lazy("Déposer mon dossier auprès d'AUVICOM"),
            success_message=gettext_lazy("Votre dossier est déposé auprès d'AUVICOM sous le numéro %(number)s."),
            guard=_guard_submit,
            effect=_effect_submit,
            notify=_notify_submit,
        ),
        Transition(
            name="claim",
            sources=frozenset({DossierState.SUBMITTED}),
            target=DossierState.UNDER_REVIEW,
            allowed=is_admissibility_reviewer,
            staff_label=gettext_lazy("Prendre en charge"),
            owner_label=gettext_lazy("Prise en charge par AUVICOM"),
            success_message=gettext_lazy("Vous avez pris en charge ce dossier."),
            group="queue",
            form=ClaimForm,
            effect=_effect_claim,
            notify=_to_candidate(Kind.DOSSIER_UNDER_REVIEW),
        ),
        Transition(
            name="release",
            sources=frozenset({DossierState.UNDER_REVIEW}),
            target=DossierState.SUBMITTED,
            allowed=(is_admissibility_reviewer & is_dossier_reviewer) | is_administrator,
            staff_label=gettext_lazy("Remettre dans la file"),
            owner_label=gettext_lazy("Remis dans la file d'AUVICOM"),
            success_message=gettext_lazy("Le dossier est remis dans la file."),
            style="outline-secondary",
            group="queue",
            next_page="candidates:auvicom_dashboard",
            form=ReleaseForm,
            effect=_effect_release,
            refusal=_refusal_claimed_by_another,
        ),
        Transition(
            name="declare_admissible",
            sources=frozenset({DossierState.UNDER_REVIEW}),
            target=DossierState.ADMISSIBLE,
            allowed=is_admissibility_reviewer & is_dossier_reviewer,
            staff_label=gettext_lazy("Déclarer recevable"),
            owner_label=gettext_lazy("Dossier recevable"),
            success_message=gettext_lazy("Le dossier est déclaré recevable ; le candidat est prévenu."),
            style="success",
            form=AdmissibleForm,
            effect=_decide(AdmissibilityOutcome.ADMISSIBLE),
            notify=_to_candidate_and_employers(Kind.DOSSIER_ADMISSIBLE),
            refusal=_refusal_claimed_by_another,
        ),
        Transition(
            name="declare_incomplete",
            sources=frozenset({DossierState.UNDER_REVIEW}),
            target=DossierState.INCOMPLETE,
            allowed=is_admissibility_reviewer & is_dossier_reviewer,
            staff_label=gettext_lazy("Déclarer incomplet"),
            owner_label=gettext_lazy("Dossier incomplet"),
            success_message=gettext_lazy(
                "Le dossier est déclaré incomplet ; le candidat est prévenu de ce qui manque."
            ),
            style="warning",
            form=IncompleteForm,
            guard=_guard_incomplete,
            effect=_decide(AdmissibilityOutcome.INCOMPLETE),
            notify=_to_candidate(Kind.DOSSIER_INCOMPLETE),
            refusal=_refusal_claimed_by_another,
        ),
        Transition(
            name="declare_inadmissible",
            sources=frozenset({DossierState.UNDER_REVIEW}),
            target=DossierState.INADMISSIBLE,
            allowed=is_admissibility_reviewer & is_dossier_reviewer,
            staff_label=gettext_lazy("Déclarer irrecevable"),
            owner_label=gettext_lazy("Dossier irrecevable"),
            success_message=gettext_lazy("Le dossier est déclaré irrecevable ; le candidat est prévenu."),
            style="danger",
            form=InadmissibleForm,
            guard=_guard_inadmissible,
            effect=_decide(AdmissibilityOutcome.INADMISSIBLE),
            notify=_to_candidate_and_employers(Kind.DOSSIER_INADMISSIBLE),
            refusal=_refusal_claimed_by_another,
        ),
        Transition(
            name="withdraw",
            sources=WITHDRAWABLE_STATES,
            target=DossierState.WITHDRAWN,
            allowed=is_dossier_owner,
            staff_label=gettext_lazy("Retirer"),
            owner_label=gettext_lazy("Retirer ma candidature"),
            success_message=gettext_lazy("Votre candidature est retirée."),
            style="outline-danger",
            group="candidate",
            form=WithdrawalForm,
            guard=_guard_withdraw,
            effect=_effect_withdraw,
            notify=_notify_withdraw,
        ),
        Transition(
            name="correct_decision",
            sources=frozenset({DossierState.ADMISSIBLE, DossierState.INCOMPLETE, DossierState.INADMISSIBLE}),
            target=None,
            allowed=is_administrator,
            staff_label=gettext_lazy("Corriger la décision (administrateur)"),
            owner_label=gettext_lazy("Décision corrigée par AUVICOM"),
            success_message=gettext_lazy(
                "La décision est corrigée ; la précédente est annulée et le candidat est prévenu."
            ),
            style="outline-danger",
            form=CorrectionForm,
            guard=_guard_correct,
            effect=_effect_correct,
            notify=_to_candidate_and_employers(Kind.DOSSIER_DECISION_CORRECTED),
        ),
        # The evaluation stage: applied by evaluation.workflow's effects, in the same transaction, so the
        # dossier's state follows its evaluation; their notifications are the evaluation's.
        Transition(
            name="assign_organisation",
            sources=frozenset({DossierState.ADMISSIBLE}),
            target=DossierState.EVALUATOR_ASSIGNED,
            allowed=is_admissibility_reviewer | is_administrator,
            staff_label=gettext_lazy("Désigner un organisme évaluateur"),
            owner_label=gettext_lazy("Organisme évaluateur désigné"),
            success_message=gettext_lazy("L'organisme évaluateur est désigné ; son responsable est prévenu."),
            group="evaluation",
            notify=_to_employers(Kind.DOSSIER_STATE_EMPLOYER),
        ),
        Transition(
            name="organisation_declined",
            sources=frozenset({DossierState.EVALUATOR_ASSIGNED}),
            target=DossierState.ADMISSIBLE,
            allowed=manages_dossier_evaluation,
            staff_label=gettext_lazy("Refus de l'organisme évaluateur"),
            owner_label=gettext_lazy("Un autre organisme évaluateur va être désigné"),
            success_message=gettext_lazy("Le refus est enregistré ; AUVICOM va désigner un autre organisme."),
            group="evaluation",
        ),
        Transition(
            name="start_evaluation",
            sources=frozenset({DossierState.EVALUATOR_ASSIGNED}),
            target=DossierState.IN_EVALUATION,
            allowed=manages_dossier_evaluation,
            staff_label=gettext_lazy("Début de l'évaluation"),
            owner_label=gettext_lazy("Évaluation commencée"),
            success_message=gettext_lazy("L'évaluation commence."),
            group="evaluation",
            notify=_to_employers(Kind.DOSSIER_STATE_EMPLOYER),
        ),
        Transition(
            name="complete_evaluation",
            sources=frozenset({DossierState.IN_EVALUATION}),
            target=DossierState.EVALUATION_COMPLETE,
            allowed=evaluates_dossier,
            staff_label=gettext_lazy("Trois phases terminées"),
            owner_label=gettext_lazy("Évaluation terminée"),
            success_message=gettext_lazy("Les trois phases ont un résultat."),
            group="evaluation",
        ),
        Transition(
            name="transmit_to_cpne",
            sources=frozenset({DossierState.EVALUATION_COMPLETE}),
            target=DossierState.TRANSMITTED_TO_CPNE,
            allowed=manages_dossier_evaluation | evaluates_dossier,
            staff_label=gettext_lazy("Transmission à la CPNE"),
            owner_label=gettext_lazy("Résultats transmis à la CPNE"),
            success_message=gettext_lazy("La synthèse est transmise à la CPNE."),
            group="evaluation",
            notify=_to_employers(Kind.DOSSIER_STATE_EMPLOYER),
        ),
        Transition(
            name="abandon_evaluation",
            sources=frozenset(
                {DossierState.EVALUATOR_ASSIGNED, DossierState.IN_EVALUATION, DossierState.EVALUATION_COMPLETE}
            ),
            target=DossierState.EVALUATION_ABANDONED,
            allowed=manages_dossier_evaluation | evaluates_dossier,
            staff_label=gettext_lazy("Abandon de l'évaluation"),
            owner_label=gettext_lazy("Évaluation abandonnée"),
            success_message=gettext_lazy("L'abandon est enregistré."),
            group="evaluation",
            notify=_to_employers(Kind.DOSSIER_STATE_EMPLOYER),
        ),
        *CPNE_TRANSITIONS,  # the CPNE's decisions (issue 9)
    ],
)
TRANSITIONS = DOSSIER_WORKFLOW.transitions


def available_transitions(user, dossier: Dossier, *, group: str | None = None):
    """The transitions this user may apply to this dossier now (guards are checked on apply)."""
    return DOSSIER_WORKFLOW.available(user, dossier, group=group)


def apply_transition(*, dossier_id: int, name: str, actor, comment: str = "", data: dict | None = None) -> Dossier:
    """Apply one transition to one dossier, or raise ActionRefused saying why not (see Workflow.apply)."""
    return DOSSIER_WORKFLOW.apply(pk=dossier_id, name=name, actor=actor, data=data, comment=comment)
