"""The CPNE's state machines, on the shared engine: the meeting, and each decision.

Closing a meeting releases all its decisions at once, in its transaction:
each decision's `release` applies the dossier's transition (candidates.workflow:
cpne_award, cpne_not_award; a deferral goes through the evaluation's
return_from_cpne, which moves the dossier back to "in evaluation"). Until
then a decision is pending and nothing outside the CPNE sees it. An
administrator revokes a released award on a later meeting's decision.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from candidates.workflow import DOSSIER_WORKFLOW
from cqpt_portal.accounts.rules import is_administrator, is_cpne_secretary
from cqpt_portal.broker import publish_bounded
from cqpt_portal.workflow import Transition, Workflow, field_problem
from evaluation.workflow import EVALUATION_WORKFLOW

from .enums import DecisionOutcome, DecisionState, MeetingState
from .forms import CancelMeetingForm, RevocationForm
from .models import Decision, Meeting

# --- the meeting -------------------------------------------------------------------------------


def quorum_per_college() -> int:
    return settings.CPNE_QUORUM_PER_COLLEGE


def _guard_open(meeting, actor, data):
    from .services import agenda_refresh

    agenda_refresh(meeting=meeting)
    if not meeting.items.filter(postponed_at__isnull=True).exists():
        return [_("L'ordre du jour est vide : aucun dossier transmis avant la date limite n'attend de décision.")]
    return []


def _effect_open(meeting, actor, data):
    from .services import attendance_prepare, conflicts_detect

    attendance_prepare(meeting=meeting)
    conflicts_detect(meeting=meeting)


def _guard_close(meeting, actor, data):
    from .selectors import meeting_quorum_problems

    problems = list(meeting_quorum_problems(meeting))
    undecided = meeting.items.filter(postponed_at__isnull=True, decision__isnull=True).select_related("dossier")
    if undecided:
        problems.append(
            _("Chaque dossier doit avoir une décision ou être reporté (reste : %(numbers)s).")
            % {"numbers": ", ".join(item.dossier.number for item in undecided)}
        )
    return problems


def _effect_close(meeting, actor, data):
    meeting.closed_at = timezone.now()
    for decision_id in meeting.decisions.filter(state=DecisionState.PENDING).values_list("pk", flat=True):
        DECISION_WORKFLOW.apply(pk=decision_id, name="release", actor=actor)
    meeting_id = meeting.pk

    def queue():
        from .tasks import meeting_certificates, minutes_make

        # Bounded: a hung broker never holds the secretary's request; the beat sweep makes what was not queued.
        publish_bounded(minutes_make, meeting_id)
        publish_bounded(meeting_certificates, meeting_id)

    transaction.on_commit(queue)


def _guard_cancel(meeting, actor, data):
    return [] if data.get("comment") else [field_problem("comment", _("Indiquez le motif de l'annulation."))]


def _effect_cancel(meeting, actor, data):
    """The agenda's dossiers go back to wait for the next meeting (their items stay as history, postponed)."""
    meeting.cancel_reason = data["comment"]
    meeting.items.filter(postponed_at__isnull=True).update(
        postponed_at=timezone.now(), postponed_by=actor, postpone_reason=data["comment"]
    )


def meeting_link(meeting, recipient) -> str:
    return reverse("cpne:meeting", args=[meeting.pk])


MEETING_WORKFLOW = Workflow(
    model=Meeting,
    changed_at_field="state_changed_at",
    link=meeting_link,
    stale_message=gettext_lazy("Action impossible : la séance est maintenant « %(state)s »."),
    role_message=gettext_lazy("Seul le secrétariat de la CPNE conduit une séance."),
    transitions=[
        Transition(
            name="open",
            sources=frozenset({MeetingState.PLANNED}),
            target=MeetingState.IN_SESSION,
            allowed=is_cpne_secretary,
            staff_label=gettext_lazy("Ouvrir la séance"),
            owner_label=gettext_lazy("Séance ouverte"),
            success_message=gettext_lazy("La séance est ouverte : enregistrez les présences puis les décisions."),
            guard=_guard_open,
            effect=_effect_open,
        ),
        Transition(
            name="close",
            sources=frozenset({MeetingState.IN_SESSION}),
            target=MeetingState.CLOSED,
            allowed=is_cpne_secretary,
            staff_label=gettext_lazy("Clore la séance et publier les décisions"),
            owner_label=gettext_lazy("Séance close"),
            success_message=gettext_lazy(
                "La séance est close : les décisions sont publiées ; le procès-verbal et les certificats sont en "
                "préparation."
            ),
            style="success",
            guard=_guard_close,
            effect=_effect_close,
        ),
        Transition(
            name="cancel",
            sources=frozenset({MeetingState.PLANNED}),
            target=MeetingState.CANCELLED,
            allowed=is_cpne_secretary,
            staff_label=gettext_lazy("Annuler la séance"),
            owner_label=gettext_lazy("Séance annulée"),
            success_message=gettext_lazy("La séance est annulée ; ses dossiers attendent la séance suivante."),
            style="outline-danger",
            form=CancelMeetingForm,
            guard=_guard_cancel,
            effect=_effect_cancel,
        ),
    ],
)


# --- the decision ------------------------------------------------------------------------------


def _effect_release(decision, actor, data):
    """The decision reaches the dossier (and the evaluation, for a deferral); an award gets its certificate."""
    from .services import certificate_issue

    decision.released_at = timezone.now()
    dossier_id = decision.dossier_id
    if decision.outcome == DecisionOutcome.AWARDED:
        DOSSIER_WORKFLOW.apply(pk=dossier_id, name="cpne_award", actor=actor)
        certificate_issue(decision=decision)
    elif decision.outcome == DecisionOutcome.NOT_AWARDED:
        DOSSIER_WORKFLOW.apply(pk=dossier_id, name="cpne_not_award", actor=actor, data={"reason": decision.reason})
    else:
        EVALUATION_WORKFLOW.apply(
            pk=decision.dossier.evaluation.pk,
            name="return_from_cpne",
            actor=actor,
            data={"comment": decision.request, "redo_phases": decision.redo_phases},
        )


def _guard_revoke(decision, actor, data):
    problems = []
    if decision.outcome != DecisionOutcome.AWARDED:
        problems.append(_("Seule une délivrance peut être annulée."))
    if not data.get("comment"):
        problems.append(field_problem("comment", _("Indiquez le motif de l'annulation.")))
    meeting = data.get("meeting")
    if meeting is None:
        problems.append(field_problem("meeting", _("Choisissez la séance qui a décidé l'annulation.")))
    elif meeting.state not in (MeetingState.IN_SESSION, MeetingState.CLOSED) or (
        meeting.starts_at <= decision.meeting.starts_at
    ):
        problems.append(
            field_problem("meeting", _("La séance doit être une séance tenue après celle de la délivrance."))
        )
    return problems


def _effect_revoke(decision, actor, data):
    """The dossier goes to "not awarded" (its history keeps the award), the certificate is revoked."""
    now = timezone.now()
    decision.revoked_at = now
    decision.revoked_by = actor
    decision.revoked_in = data["meeting"]
    decision.revocation_reason = data["comment"]
    data["meeting"] = data["meeting"].pk  # the audit row keeps the id
    DOSSIER_WORKFLOW.apply(pk=decision.dossier_id, name="revoke_award", actor=actor, comment=data["comment"])
    from .models import Certificate

    Certificate.objects.filter(decision=decision, revoked_at__isnull=True).update(revoked_at=now)


DECISION_WORKFLOW = Workflow(
    model=Decision,
    changed_at_field="state_changed_at",
    select_related=("dossier", "meeting"),
    link=lambda decision, recipient: reverse("cpne:meeting", args=[decision.meeting_id]),
    role_message=gettext_lazy("Votre rôle ne permet pas cette action sur une décision de la CPNE."),
    transitions=[
        Transition(
            name="release",
            sources=frozenset({DecisionState.PENDING}),
            target=DecisionState.RELEASED,
            allowed=is_cpne_secretary,
            staff_label=gettext_lazy("Publier la décision"),
            owner_label=gettext_lazy("Décision publiée"),
            success_message=gettext_lazy("La décision est publiée."),
            effect=_effect_release,
        ),
        Transition(
            name="revoke",
            sources=frozenset({DecisionState.RELEASED}),
            target=DecisionState.REVOKED,
            allowed=is_administrator,
            staff_label=gettext_lazy("Annuler la délivrance (décision ultérieure)"),
            owner_label=gettext_lazy("Délivrance annulée"),
            success_message=gettext_lazy("La délivrance est annulée ; le certificat est révoqué."),
            style="outline-danger",
            form=RevocationForm,
            guard=_guard_revoke,
            effect=_effect_revoke,
        ),
    ],
)
