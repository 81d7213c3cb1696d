"""The funding services: the fee recorded at assignment and moved by the evaluation, the scheme's change,
the payment statements and their documents.

Every state change goes through funding.workflow (FEE_WORKFLOW, STATEMENT_WORKFLOW);
these functions decide which, and create the rows the tables do not.
"""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused

from . import fees
from .enums import FeeState, NotDueReason, Payer
from .models import Fee, FundingScheme, Statement, StatementLine, StatementNumberCounter
from .rules import handles_funding
from .workflow import FEE_WORKFLOW


def _queue(task, *args):
    """After commit, a bounded publish: a hung broker never holds the request (the PDF is made on the next ask)."""
    from cqpt_portal.broker import publish_bounded

    transaction.on_commit(lambda: publish_bounded(task, *args))


# --- the fee, moved by the evaluation and the dossier -------------------------------------------------


def fee_record_assignment(*, evaluation, organisation_id: int, actor) -> Fee | None:
    """An organisation is assigned: create the evaluation's fee the first time, or let it follow the new organisation.

    Side effects, in the caller's transaction: the fee row and its audit row
    (first time), or the fee's "change_payee" transition (audited). Nothing
    for a scheme handled elsewhere (CIF). Returns the fee, or None.
    """
    fee = Fee.objects.filter(evaluation_id=evaluation.pk).only("pk", "organisation_id", "state").first()
    if fee is not None:
        if fee.organisation_id != organisation_id and fee.state == FeeState.COMMITTED:
            fee = FEE_WORKFLOW.apply(
                pk=fee.pk, name="change_payee", actor=actor, data={"organisation": organisation_id}
            )
        return fee
    return _fee_create(evaluation=evaluation, organisation_id=organisation_id, actor=actor, at=timezone.now())


def _fee_create(*, evaluation, organisation_id, actor, at, scheme=None, comment="") -> Fee | None:
    dossier = evaluation.dossier
    scheme = scheme if scheme is not None else dossier.funding_scheme
    terms = fees.fee_terms(scheme, timezone.localdate(at))
    if terms.payer is None:
        return None
    state = FeeState.DUE if evaluation.followed_in_full_at else FeeState.COMMITTED
    try:
        with transaction.atomic():
            fee = Fee.objects.create(
                evaluation=evaluation,
                payer=terms.payer,
                company_id=dossier.company_id,
                scheme=scheme,
                amount=terms.amount,
                organisation_id=organisation_id,
                state=state,
                committed_at=at,
                due_at=evaluation.followed_in_full_at,
            )
    except IntegrityError:  # one fee per evaluation: someone recorded it at the same instant
        return Fee.objects.get(evaluation_id=evaluation.pk)
    audit_record(
        actor=actor,
        target=fee,
        action="create",
        to_state=state,
        comment=comment,
        extra={"payer": fee.payer, "amount": fee.amount, "organisation": organisation_id, "scheme": fee.scheme_id},
    )
    return fee


def fee_record_followed_in_full(*, evaluation, actor) -> Fee | None:
    """The evaluation is followed in full (synthesis transmitted): its fee becomes due.

    Side effects: the fee's "become_due" transition (audited); for a fee the
    employer pays, its attestation PDF queued after commit.
    """
    fee = Fee.objects.filter(evaluation_id=evaluation.pk).only("pk", "state").first()
    if fee is None or fee.state != FeeState.COMMITTED:
        return fee
    fee = FEE_WORKFLOW.apply(
        pk=fee.pk, name="become_due", actor=actor, data={"at": evaluation.followed_in_full_at or timezone.now()}
    )
    if fee.payer == Payer.EMPLOYER:
        from .tasks import build_attestation_pdf

        _queue(build_attestation_pdf, fee.pk)
    return fee


def _reason_of(transition_name: str) -> str:
    return NotDueReason.WITHDRAWN if transition_name == "withdraw" else NotDueReason.ABANDONED


def fee_follow_dossier_end(transition_name: str):
    """A follower of the dossier's transition: a fee still committed when the dossier ends is not due."""

    def follower(dossier, actor, data):
        fee = Fee.objects.filter(evaluation__dossier_id=dossier.pk).only("pk", "state").first()
        if fee is not None and fee.state == FeeState.COMMITTED:
            FEE_WORKFLOW.apply(
                pk=fee.pk,
                name="not_due",
                actor=actor,
                data={"reason": _reason_of(transition_name)},
                comment=data.get("comment", ""),
            )

    return follower


# --- the scheme, changed by the funding officer ----------------------------------------------------


def dossier_scheme_change(*, dossier_id: int, scheme_id: int, comment: str, actor) -> Fee | None:
    """AUVICOM's funding officer corrects a dossier's funding scheme; who pays and how much are recomputed.

    Side effects, in one transaction: the dossier's scheme and an audit row on
    the dossier; the fee's "recompute" transition (audited), or a fee created
    when the dossier had none (a CIF corrected). A paid fee is left as it
    was; a fee on an unpaid statement must first be freed (cancel the statement).
    """
    from candidates.models import Dossier

    if not handles_funding(actor):
        raise ActionRefused(_("Votre rôle ne permet pas cette action."))
    comment = (comment or "").strip()
    if not comment:
        raise ActionRefused(fields={"comment": [_("Indiquez pourquoi le dispositif change.")]})
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
        scheme = FundingScheme.objects.get(pk=scheme_id)
        if scheme.pk == dossier.funding_scheme_id:
            raise ActionRefused(fields={"scheme": [_("C'est déjà le dispositif du dossier.")]})
        fee = Fee.objects.filter(evaluation__dossier_id=dossier_id).only("pk", "state").first()
        if fee is not None and fee.state == FeeState.IN_STATEMENT:
            raise ActionRefused(
                _(
                    "Ce forfait figure sur un relevé de paiement non payé : annulez d'abord le relevé, "
                    "puis changez le dispositif."
                )
            )
        previous = dossier.funding_scheme_id
        dossier.funding_scheme = scheme
        dossier.save(update_fields=["funding_scheme", "updated_at"])
        audit_record(
            actor=actor,
            target=dossier,
            action="funding_scheme_changed",
            comment=comment,
            extra={"from_scheme": previous, "to_scheme": scheme.pk},
        )
        if fee is None:
            evaluation = getattr(dossier, "evaluation", None)
            if evaluation is None or evaluation.organisation_id is None:
                return None
            first = evaluation.assignments.order_by("assigned_at", "id").first()
            return _fee_create(
                evaluation=evaluation,
                organisation_id=evaluation.organisation_id,
                actor=actor,
                at=first.assigned_at if first else evaluation.created_at,
                scheme=scheme,
                comment=comment,
            )
        if fee.state == FeeState.PAID:
            return fee  # nothing already paid changes
        return FEE_WORKFLOW.apply(pk=fee.pk, name="recompute", actor=actor, data={"scheme": scheme.pk}, comment=comment)


# --- payment statements -----------------------------------------------------------------------------


def next_statement_number(*, year: int) -> str:
    """Take the next statement number of the year inside the caller's transaction (no gaps, no duplicates)."""
    counter = StatementNumberCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                StatementNumberCounter.objects.create(year=year, last_value=0)
        except IntegrityError:
            pass  # another statement created it first
        counter = StatementNumberCounter.objects.select_for_update().get(year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"RP-{year}-{counter.last_value:05d}"


def statements_create(*, actor, organisation_id: int | None = None, due_until=None) -> list[Statement]:
    """Gather the due AUVICOM fees of one organisation (or of all, one statement per organisation) into statements.

    Side effects, in one transaction: the numbered statements and their lines,
    each fee's "include_in_statement" transition, audit rows; the PDFs queued
    after commit. Raises ActionRefused when no fee is due.
    """
    if not handles_funding(actor):
        raise ActionRefused(_("Votre rôle ne permet pas cette action."))
    from .tasks import build_statement_pdf

    with transaction.atomic():
        due = Fee.objects.select_for_update().filter(state=FeeState.DUE, payer=Payer.AUVICOM)
        if organisation_id:
            due = due.filter(organisation_id=organisation_id)
        if due_until:
            due = due.filter(due_at__date__lte=due_until)
        by_organisation: dict[int, list[tuple[int, Decimal]]] = {}
        for fee_id, org_id, amount in due.order_by("organisation_id", "due_at", "id").values_list(
            "pk", "organisation_id", "amount"
        ):
            by_organisation.setdefault(org_id, []).append((fee_id, amount))
        if not by_organisation:
            raise ActionRefused(_("Aucun forfait dû à AUVICOM ne correspond : aucun relevé n'est créé."))
        now = timezone.now()
        statements = []
        for org_id, rows in by_organisation.items():
            statement = Statement.objects.create(
                number=next_statement_number(year=timezone.localdate(now).year),
                organisation_id=org_id,
                total=sum((amount for _id, amount in rows), Decimal("0.00")),
                fee_count=len(rows),
                created_by=actor,
                created_at=now,
            )
            StatementLine.objects.bulk_create(
                [StatementLine(statement=statement, fee_id=fee_id, amount=amount) for fee_id, amount in rows]
            )
            for fee_id, _amount in rows:
                FEE_WORKFLOW.apply(
                    pk=fee_id, name="include_in_statement", actor=actor, data={"statement": statement.number}
                )
            audit_record(
                actor=actor,
                target=statement,
                action="create",
                to_state=statement.state,
                extra={"fees": [fee_id for fee_id, _amount in rows], "total": statement.total},
            )
            _queue(build_statement_pdf, statement.pk)
            statements.append(statement)
    return statements


# --- documents ------------------------------------------------------------------------------------


def _pdf(template: str, context: dict) -> bytes:
    from django.template.loader import render_to_string
    from weasyprint import HTML  # heavy: imported only where a PDF is made

    return HTML(string=render_to_string(template, context)).write_pdf()


def _store(model, pk: int, field: str, content: bytes, stem: str) -> None:
    obj = model.objects.get(pk=pk)
    old = getattr(obj, field)
    old_name = old.name if old else ""
    file = getattr(obj, field)
    file.save(f"{stem}.pdf", ContentFile(content), save=False)
    model.objects.filter(pk=pk).update(**{field: file.name})
    if old_name and old_name != file.name:
        file.storage.delete(old_name)


def statement_pdf_build(*, statement_id: int) -> None:
    """Render the statement as it stands to PDF and store it privately (idempotent: the same data, the same file)."""
    from .selectors import statement_lines

    statement = Statement.objects.select_related("organisation", "created_by").get(pk=statement_id)
    content = _pdf(
        "funding/pdf/statement.html",
        {"statement": statement, "lines": statement_lines(statement), "generated_at": timezone.now()},
    )
    _store(Statement, statement_id, "pdf", content, statement.number)


def attestation_pdf_build(*, fee_id: int) -> None:
    """Render the employer's attestation that the evaluation was followed in full, stored privately (idempotent)."""
    from .selectors import phase_dates

    fee = Fee.objects.select_related(
        "evaluation__dossier__cqpt", "evaluation__dossier__company", "organisation", "scheme"
    ).get(pk=fee_id)
    if fee.state not in (FeeState.DUE, FeeState.IN_STATEMENT, FeeState.PAID):
        return
    content = _pdf(
        "funding/pdf/attestation.html",
        {
            "fee": fee,
            "dossier": fee.evaluation.dossier,
            "phases": phase_dates(fee.evaluation),
            "today": timezone.localdate(),
        },
    )
    _store(Fee, fee_id, "attestation", content, f"attestation-{fee.evaluation.dossier.number}")
