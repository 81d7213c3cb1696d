"""What funding holds about a person (registered in FundingConfig.ready, see docs/personal_data.md).

A fee holds no personal data beyond ids (the evaluation, the company, the organisation) and amounts; the
employer's attestation PDF names the candidate: it is the candidate's data (exported to them), not the
employer user's, whose own archive leaves their company's fees out. Fees and attestations are accounting
records, kept ten years (Code de commerce, art. L123-22): nothing here is erased on request.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from personal_data.registry import (
    Erasure,
    ErasureContext,
    Export,
    Kept,
    RetentionContext,
    months_after,
    months_before,
    row,
)

from .models import Fee

ACCOUNTING_YEARS = 10

FEE_FIELDS = [
    "id",
    "evaluation",
    "payer",
    "scheme",
    "amount",
    "state",
    "state_changed_at",
    "committed_at",
    "due_at",
    "paid_on",
    "not_due_reason",
]


def attestation_name(fee) -> str:
    return f"funding/attestation-{fee.pk}.pdf"


def export(user) -> Export:
    out = Export()
    fees = list(Fee.objects.filter(evaluation__dossier__candidate=user).order_by("pk"))
    out.rows["fees"] = [
        {**row(f, FEE_FIELDS), "attestation": attestation_name(f) if f.attestation else ""} for f in fees
    ]
    out.files += [(attestation_name(f), f.attestation) for f in fees if f.attestation]
    return out


def _until(fee) -> datetime.date:
    moment = fee.paid_on or timezone.localdate(fee.state_changed_at)
    return months_after(moment, ACCOUNTING_YEARS * 12)


def erase(user, context: ErasureContext) -> Erasure:
    erasure = Erasure()
    for fee in Fee.objects.filter(evaluation__dossier__candidate=user).select_related("evaluation__dossier"):
        dossier = fee.evaluation.dossier
        what = (
            _("Dossier %(number)s : forfait d'évaluation et attestation de l'employeur")
            if fee.attestation
            else _("Dossier %(number)s : forfait d'évaluation")
        )
        erasure.kept.append(
            Kept(
                what % {"number": dossier.number or dossier.pk},
                _(
                    "Pièce comptable gardée %(years)s ans ; le forfait ne porte que des identifiants et des montants, "
                    "rien n'y est à effacer."
                )
                % {"years": ACCOUNTING_YEARS},
                _until(fee),
            )
        )
    return erasure


def retention(context: RetentionContext) -> dict[str, int]:
    """Past the accounting period, the attestation (which names the candidate) goes; the fee row has no name."""
    cutoff = months_before(context.now, ACCOUNTING_YEARS * 12)
    old = Fee.objects.exclude(attestation="").filter(state_changed_at__lt=cutoff)
    old = old.exclude(paid_on__gte=timezone.localdate(cutoff))
    report = {"attestations_after_accounting_period": old.count()}
    if not context.dry_run:
        context.files.extend(name for name in old.values_list("attestation", flat=True) if name)
        Fee.objects.filter(pk__in=list(old.values_list("pk", flat=True))).update(attestation="")
    return report
