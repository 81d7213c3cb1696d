"""The dossier's transitions, as data, and the one function that applies them.

Every change of `Dossier.state` goes through `apply_transition`: it locks the
row, checks the state, the role and the guards, runs the transition's effect,
writes the state and its audit row, and writes the notifications, which the
outbox e-mails after commit. Views only call it and show its errors; the
buttons a page shows come from `available_transitions`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.models import User
from cqpt_portal.accounts.selectors import verified_employers_of
from cqpt_portal.audit.services import audit_record
from cqpt_portal.notifications.services import notification_create

from .enums import (
    WITHDRAWABLE_STATES,
    AdmissibilityOutcome,
    DossierState,
    InadmissibilityReason,
)
from .models import AdmissibilityDecision, Dossier
from .services import next_dossier_number, submission_problems, submission_record


class TransitionError(Exception):
    """A refused transition; `messages` say why, in the user's language."""

    def __init__(self, *messages):
        self.messages = [str(m) for m in messages]
        super().__init__("; ".join(self.messages))


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: str | None  # None: the effect decides (administrator's correction)
    allowed: Callable[[User, Dossier], bool]
    staff_label: Promise
    candidate_label: Promise
    style: str = "primary"
    guard: Callable[[Dossier, User, dict], list[str]] | None = None
    effect: Callable[[Dossier, User, dict], str | None] | None = None
    notify: Callable[[Dossier, User, dict], list[tuple[User, str]]] = field(default=lambda d, u, data: [])


# --- who may -------------------------------------------------------------------------------


def _owner(user, dossier):
    return user.is_authenticated and dossier.candidate_id == user.pk


def _reviewer(user, dossier):
    return user.is_authenticated and user.role == Role.AUVICOM_REVIEWER


def _claimer(user, dossier):
    return _reviewer(user, dossier) and dossier.reviewer_id == user.pk


def _claimer_or_admin(user, dossier):
    return _claimer(user, dossier) or _admin(user, dossier)


def _admin(user, dossier):
    return user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN)


# --- who hears of it -----------------------------------------------------------------------


def _auvicom_reviewers():
    return list(User.objects.filter(role=Role.AUVICOM_REVIEWER, is_active=True))


def _sharing_employers(dossier):
    if not dossier.share_with_employer or dossier.company_id is None:
        return []
    return list(verified_employers_of(company_id=dossier.company_id))


def _candidate_and_employers(dossier):
    return [dossier.candidate, *_sharing_employers(dossier)]


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
    return None


def _effect_claim(dossier, actor, data):
    dossier.reviewer = actor
    dossier.claimed_at = timezone.now()


def _effect_release(dossier, actor, data):
    dossier.reviewer = None
    dossier.claimed_at = None


def _record_decision(dossier, actor, outcome, data):
    AdmissibilityDecision.objects.create(
        dossier=dossier,
        submission=dossier.submissions.order_by("-sequence").first(),
        outcome=outcome,
        reason=data.get("reason", ""),
        comment=data.get("comment", ""),
        missing_items=list(data.get("missing_items", [])),
        decided_by=actor,
    )


def _guard_incomplete(dossier, actor, data):
    return [] if data.get("missing_items") else [_("Indiquez au moins une pièce ou information manquante.")]


def _guard_inadmissible(dossier, actor, data):
    if data.get("reason") not in InadmissibilityReason.values:
        return [_("Choisissez le motif d'irrecevabilité.")]
    if data.get("reason") == InadmissibilityReason.OTHER and not data.get("comment"):
        return [_("Précisez le motif dans le commentaire.")]
    return []


def _guard_withdraw(dossier, actor, data):
    return [] if (data.get("comment") or "").strip() else [_("Indiquez la raison de votre retrait.")]


def _effect_withdraw(dossier, actor, data):
    dossier.withdrawal_reason = data["comment"].strip()


_OUTCOME_STATES = {
    AdmissibilityOutcome.ADMISSIBLE: DossierState.ADMISSIBLE,
    AdmissibilityOutcome.INCOMPLETE: DossierState.INCOMPLETE,
    AdmissibilityOutcome.INADMISSIBLE: DossierState.INADMISSIBLE,
}


def _guard_correct(dossier, actor, data):
    errors = []
    if data.get("outcome") not in _OUTCOME_STATES:
        errors.append(_("Choisissez la nouvelle décision."))
    elif _OUTCOME_STATES[data["outcome"]] == dossier.state:
        errors.append(_("La nouvelle décision est identique à la décision actuelle."))
    if not (data.get("comment") or "").strip():
        errors.append(_("Une correction doit être motivée."))
    if data.get("outcome") == AdmissibilityOutcome.INCOMPLETE:
        errors += _guard_incomplete(dossier, actor, data)
    if data.get("outcome") == AdmissibilityOutcome.INADMISSIBLE:
        errors += _guard_inadmissible(dossier, actor, data)
    return errors


def _effect_correct(dossier, actor, data):
    now = timezone.now()
    dossier.decisions.filter(revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor)
    _record_decision(dossier, actor, data["outcome"], data)
    return _OUTCOME_STATES[data["outcome"]]


def _decide(outcome):
    def effect(dossier, actor, data):
        _record_decision(dossier, actor, outcome, data)

    return effect


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            name="submit",
            sources=frozenset({DossierState.DRAFT, DossierState.INCOMPLETE}),
            target=DossierState.SUBMITTED,
            allowed=_owner,
            staff_label=gettext_lazy("Déposer"),
            candidate_label=gettext_lazy("Déposer mon dossier auprès d'AUVICOM"),
            guard=_guard_submit,
            effect=_effect_submit,
            notify=lambda d, u, data: (
                [(d.candidate, "dossier_submitted")]
                + [(r, "dossier_submitted_staff") for r in _auvicom_reviewers()]
                + [(e, "dossier_state_employer") for e in _sharing_employers(d)]
            ),
        ),
        Transition(
            name="claim",
            sources=frozenset({DossierState.SUBMITTED}),
            target=DossierState.UNDER_REVIEW,
            allowed=_reviewer,
            staff_label=gettext_lazy("Prendre en charge"),
            candidate_label=gettext_lazy("Prise en charge par AUVICOM"),
            effect=_effect_claim,
            notify=lambda d, u, data: [(d.candidate, "dossier_under_review")],
        ),
        Transition(
            name="release",
            sources=frozenset({DossierState.UNDER_REVIEW}),
            target=DossierState.SUBMITTED,
            allowed=_claimer_or_admin,
            staff_label=gettext_lazy("Remettre dans la file"),
            candidate_label=gettext_lazy("Remis dans la file d'AUVICOM"),
            style="outline-secondary",
            effect=_effect_release,
        ),
        Transition(
            name="declare_admissible",
            sources=frozenset({DossierState.UNDER_REVIEW}),
            target=DossierState.ADMISSIBLE,
            allowed=_claimer,
            staff_label=gettext_lazy("Déclarer recevable"),
            candidate_label=gettext_lazy("Dossier recevable"),
            style="success",
            effect=_decide(AdmissibilityOutcome.ADMISSIBLE),
            notify=lambda d, u, data: [(r, "dossier_admissible") for r in _candidate_and_employers(d)],
        ),
        Transition(
            name="declare_incomplete",
            sources=frozenset({DossierState.UNDER_REVIEW}),
            target=DossierState.INCOMPLETE,
            allowed=_claimer,
            staff_label=gettext_lazy("Déclarer incomplet"),
            candidate_label=gettext_lazy("Dossier incomplet"),
            style="warning",
            guard=_guard_incomplete,
            effect=_decide(AdmissibilityOutcome.INCOMPLETE),
            notify=lambda d, u, data: [(d.candidate, "dossier_incomplete")],
        ),
        Transition(
            name="declare_inadmissible",
            sources=frozenset({DossierState.UNDER_REVIEW}),
            target=DossierState.INADMISSIBLE,
            allowed=_claimer,
            staff_label=gettext_lazy("Déclarer irrecevable"),
            candidate_label=gettext_lazy("Dossier irrecevable"),
            style="danger",
            guard=_guard_inadmissible,
            effect=_decide(AdmissibilityOutcome.INADMISSIBLE),
            notify=lambda d, u, data: [(r, "dossier_inadmissible") for r in _candidate_and_employers(d)],
        ),
        Transition(
            name="withdraw",
            sources=WITHDRAWABLE_STATES,
            target=DossierState.WITHDRAWN,
            allowed=_owner,
            staff_label=gettext_lazy("Retirer"),
            candidate_label=gettext_lazy("Retirer ma candidature"),
            style="outline-danger",
            guard=_guard_withdraw,
            effect=_effect_withdraw,
            notify=lambda d, u, data: (
                [(d.candidate, "dossier_withdrawn")]
                + ([(d.reviewer, "dossier_withdrawn_staff")] if d.reviewer_id else [])
                + [(e, "dossier_state_employer") for e in _sharing_employers(d)]
            ),
        ),
        Transition(
            name="correct_decision",
            sources=frozenset({DossierState.ADMISSIBLE, DossierState.INCOMPLETE, DossierState.INADMISSIBLE}),
            target=None,
            allowed=_admin,
            staff_label=gettext_lazy("Corriger la décision (administrateur)"),
            candidate_label=gettext_lazy("Décision corrigée par AUVICOM"),
            style="outline-danger",
            guard=_guard_correct,
            effect=_effect_correct,
            notify=lambda d, u, data: [(r, "dossier_decision_corrected") for r in _candidate_and_employers(d)],
        ),
    ]
}


def available_transitions(user, dossier: Dossier) -> list[Transition]:
    """The transitions this user may apply to this dossier now (guards are checked on apply)."""
    return [t for t in TRANSITIONS.values() if dossier.state in t.sources and t.allowed(user, dossier)]


def apply_transition(
    *, dossier_id: int, name: str, actor: User, comment: str = "", data: dict | None = None
) -> Dossier:
    """Apply one transition to one dossier, or raise TransitionError saying why not.

    Side effects, in one transaction: locks the dossier row, runs the
    transition's effect (number, snapshot, decision rows...), saves the state,
    writes an audit row and the notifications; their e-mails go after commit.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise TransitionError(_("Action inconnue."))
    data = {**(data or {}), "comment": comment or (data or {}).get("comment", "")}
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update(of=("self",)).select_related("candidate").get(pk=dossier_id)
        if dossier.state not in transition.sources:
            raise TransitionError(
                _(
                    "Action impossible : le dossier est maintenant « %(state)s ». Quelqu'un l'a peut-être traité entre-temps."
                )
                % {"state": dossier.get_state_display()}
            )
        if not transition.allowed(actor, dossier):
            if (
                transition.name in {"declare_admissible", "declare_incomplete", "declare_inadmissible"}
                and dossier.reviewer_id
            ):
                raise TransitionError(_("Ce dossier est pris en charge par un autre instructeur."))
            raise TransitionError(_("Votre rôle ne permet pas cette action sur ce dossier."))
        if transition.guard is not None:
            errors = transition.guard(dossier, actor, data)
            if errors:
                raise TransitionError(*errors)
        from_state = dossier.state
        target = transition.effect(dossier, actor, data) if transition.effect else None
        dossier.state = target or transition.target
        dossier.state_changed_at = timezone.now()
        dossier.save()
        extra = {k: v for k, v in data.items() if k != "comment"}
        audit_record(
            actor=actor,
            target=dossier,
            action=name,
            from_state=from_state,
            to_state=dossier.state,
            comment=data.get("comment", ""),
            extra=extra,
        )
        link = reverse("candidates:dossier_detail", args=[dossier.pk])
        for recipient, kind in transition.notify(dossier, actor, data):
            notification_create(
                recipient=recipient,
                kind=kind,
                link=reverse("candidates:review_detail", args=[dossier.pk])
                if recipient.role in (Role.AUVICOM_REVIEWER,)
                else link,
                context={
                    "number": dossier.number or "",
                    "candidate_name": dossier.display_name,
                    "state": dossier.state,
                    "comment": data.get("comment", ""),
                    "missing_items": list(data.get("missing_items", [])),
                    "reason": data.get("reason", ""),
                },
            )
    return dossier
