"""The fee's and the statement's state machines, on the shared engine.

A fee: committed (at assignment) → due (the evaluation followed in full) →
in statement → paid; committed → not due (withdrawn, abandoned), with the
reason. The transitions the evaluation and the dossier trigger ("system")
may be applied by whoever applied theirs; the others are the funding
officer's. A statement's payment and cancellation apply its fees' transitions
in the same transaction.
"""

import rules
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cqpt_portal.workflow import Transition, Workflow, field_problem

from . import fees
from .enums import FeeState, NotDueReason, StatementState
from .forms import CancelStatementForm, MarkPaidForm
from .models import Fee, Statement
from .rules import handles_funding

# A consequence of the evaluation's or the dossier's own transition, applied by that transition's actor.
by_the_evaluation = rules.always_allow


def _effect_change_payee(fee, actor, data):
    data["from_organisation"] = fee.organisation_id
    fee.organisation_id = data["organisation"]


def _effect_become_due(fee, actor, data):
    fee.due_at = data.get("at") or timezone.now()


def _guard_not_due(fee, actor, data):
    return [] if data.get("reason") in NotDueReason.values else [_("Le motif est obligatoire.")]


def _effect_not_due(fee, actor, data):
    fee.not_due_reason = data["reason"]


def _effect_include(fee, actor, data):
    pass


def _effect_release(fee, actor, data):
    pass


def _effect_paid(fee, actor, data):
    fee.paid_on = data["paid_on"]
    fee.payment_reference = data["reference"]


def _guard_recompute(fee, actor, data):
    if not data.get("comment"):
        return [field_problem("comment", _("Indiquez pourquoi le dispositif change."))]
    return []


def _effect_recompute(fee, actor, data):
    """New payer and amount from the new scheme at the assignment date; the state follows (paid is never a source)."""
    from .models import FundingScheme

    scheme = FundingScheme.objects.filter(pk=data.get("scheme")).first()
    terms = fees.fee_terms(scheme, timezone.localdate(fee.committed_at))
    data.update(from_payer=fee.payer, from_amount=fee.amount, from_scheme=fee.scheme_id)
    fee.scheme = scheme
    if terms.payer is None:
        fee.not_due_reason = NotDueReason.HANDLED_ELSEWHERE
        return FeeState.NOT_DUE
    fee.payer = terms.payer
    fee.amount = terms.amount
    fee.company_id = fee.evaluation.dossier.company_id
    if fee.state == FeeState.NOT_DUE and fee.not_due_reason != NotDueReason.HANDLED_ELSEWHERE:
        return FeeState.NOT_DUE  # withdrawn or abandoned: still not due
    fee.not_due_reason = ""
    if fee.evaluation.followed_in_full_at is not None:
        fee.due_at = fee.due_at or fee.evaluation.followed_in_full_at
        return FeeState.DUE
    return FeeState.COMMITTED


FEE_WORKFLOW = Workflow(
    model=Fee,
    changed_at_field="state_changed_at",
    select_related=("evaluation__dossier",),
    transitions=[
        Transition(
            name="change_payee",
            sources=frozenset({FeeState.COMMITTED}),
            target=FeeState.COMMITTED,
            allowed=by_the_evaluation,
            staff_label=gettext_lazy("Forfait transféré au nouvel organisme évaluateur"),
            owner_label=gettext_lazy("Organisme évaluateur changé"),
            success_message=gettext_lazy("Le forfait suit le nouvel organisme évaluateur."),
            group="system",
            effect=_effect_change_payee,
        ),
        Transition(
            name="become_due",
            sources=frozenset({FeeState.COMMITTED}),
            target=FeeState.DUE,
            allowed=by_the_evaluation,
            staff_label=gettext_lazy("Évaluation suivie en intégralité : forfait dû"),
            owner_label=gettext_lazy("Évaluation suivie en intégralité"),
            success_message=gettext_lazy("Le forfait est dû."),
            group="system",
            effect=_effect_become_due,
        ),
        Transition(
            name="not_due",
            sources=frozenset({FeeState.COMMITTED}),
            target=FeeState.NOT_DUE,
            allowed=by_the_evaluation,
            staff_label=gettext_lazy("Forfait non dû"),
            owner_label=gettext_lazy("Forfait non dû"),
            success_message=gettext_lazy("Le forfait n'est pas dû."),
            group="system",
            guard=_guard_not_due,
            effect=_effect_not_due,
        ),
        Transition(
            name="include_in_statement",
            sources=frozenset({FeeState.DUE}),
            target=FeeState.IN_STATEMENT,
            allowed=handles_funding,
            staff_label=gettext_lazy("Ajouté à un relevé de paiement"),
            owner_label=gettext_lazy("Sur un relevé de paiement"),
            success_message=gettext_lazy("Le forfait est sur le relevé."),
            group="statement",
            effect=_effect_include,
        ),
        Transition(
            name="release",
            sources=frozenset({FeeState.IN_STATEMENT}),
            target=FeeState.DUE,
            allowed=handles_funding,
            staff_label=gettext_lazy("Relevé annulé : forfait de nouveau dû"),
            owner_label=gettext_lazy("Relevé annulé"),
            success_message=gettext_lazy("Le forfait est libéré."),
            group="statement",
            effect=_effect_release,
        ),
        Transition(
            name="mark_paid",
            sources=frozenset({FeeState.IN_STATEMENT}),
            target=FeeState.PAID,
            allowed=handles_funding,
            staff_label=gettext_lazy("Forfait payé"),
            owner_label=gettext_lazy("Forfait payé"),
            success_message=gettext_lazy("Le forfait est payé."),
            group="statement",
            effect=_effect_paid,
        ),
        Transition(
            name="recompute",
            sources=frozenset({FeeState.COMMITTED, FeeState.DUE, FeeState.NOT_DUE}),
            target=None,
            allowed=handles_funding,
            staff_label=gettext_lazy("Dispositif changé : payeur et montant recalculés"),
            owner_label=gettext_lazy("Dispositif de financement changé"),
            success_message=gettext_lazy("Le payeur et le montant sont recalculés."),
            group="scheme",
            guard=_guard_recompute,
            effect=_effect_recompute,
        ),
    ],
    stale_message=gettext_lazy(
        "Action impossible : le forfait est maintenant « %(state)s ». Quelqu'un l'a peut-être traité entre-temps."
    ),
)


# --- the statement ---------------------------------------------------------------------------


def _remake_pdf(statement):
    from cqpt_portal.broker import publish_bounded

    from .tasks import build_statement_pdf

    transaction.on_commit(lambda: publish_bounded(build_statement_pdf, statement.pk))


def _active_fee_ids(statement):
    return list(statement.lines.filter(is_active=True).values_list("fee_id", flat=True))


def _guard_mark_paid(statement, actor, data):
    problems = []
    paid_on = data.get("paid_on")
    if paid_on is None:
        problems.append(field_problem("paid_on", _("Indiquez la date du paiement.")))
    elif paid_on > timezone.localdate():
        problems.append(field_problem("paid_on", _("La date du paiement ne peut pas être dans le futur.")))
    elif paid_on < timezone.localdate(statement.created_at):
        problems.append(field_problem("paid_on", _("La date du paiement ne peut pas précéder l'émission du relevé.")))
    if not (data.get("reference") or "").strip():
        problems.append(field_problem("reference", _("Indiquez la référence du virement.")))
    return problems


def _effect_mark_paid(statement, actor, data):
    statement.paid_on = data["paid_on"]
    statement.payment_reference = data["reference"].strip()
    for fee_id in _active_fee_ids(statement):
        FEE_WORKFLOW.apply(
            pk=fee_id,
            name="mark_paid",
            actor=actor,
            data={
                "paid_on": statement.paid_on,
                "reference": statement.payment_reference,
                "statement": statement.number,
            },
        )
    _remake_pdf(statement)


def _guard_cancel(statement, actor, data):
    return [] if data.get("comment") else [field_problem("comment", _("Indiquez pourquoi le relevé est annulé."))]


def _effect_cancel(statement, actor, data):
    statement.cancel_reason = data["comment"]
    fee_ids = _active_fee_ids(statement)
    statement.lines.filter(is_active=True).update(is_active=False)
    for fee_id in fee_ids:
        FEE_WORKFLOW.apply(pk=fee_id, name="release", actor=actor, data={"statement": statement.number})
    _remake_pdf(statement)


def statement_link(statement, recipient) -> str:
    return reverse("funding:statement", args=[statement.pk])


STATEMENT_WORKFLOW = Workflow(
    model=Statement,
    changed_at_field="state_changed_at",
    link=statement_link,
    transitions=[
        Transition(
            name="mark_statement_paid",
            sources=frozenset({StatementState.ISSUED}),
            target=StatementState.PAID,
            allowed=handles_funding,
            staff_label=gettext_lazy("Marquer le relevé payé"),
            owner_label=gettext_lazy("Relevé payé"),
            success_message=gettext_lazy("Le relevé et ses forfaits sont payés."),
            style="success",
            group="payment",
            form=MarkPaidForm,
            guard=_guard_mark_paid,
            effect=_effect_mark_paid,
        ),
        Transition(
            name="cancel_statement",
            sources=frozenset({StatementState.ISSUED}),
            target=StatementState.CANCELLED,
            allowed=handles_funding,
            staff_label=gettext_lazy("Annuler le relevé"),
            owner_label=gettext_lazy("Relevé annulé"),
            success_message=gettext_lazy("Le relevé est annulé ; ses forfaits sont de nouveau dus."),
            style="outline-danger",
            group="payment",
            form=CancelStatementForm,
            guard=_guard_cancel,
            effect=_effect_cancel,
        ),
    ],
    stale_message=gettext_lazy(
        "Action impossible : le relevé est maintenant « %(state)s ». Quelqu'un l'a peut-être traité entre-temps."
    ),
)
