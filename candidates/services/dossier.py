"""Services of the candidacy: numbers, snapshots, the submission checklist."""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from catalogue.validators import BRANCH_IDCC

from ..eligibility import EligibilityResult, PeriodInput, compute_eligibility
from ..enums import AccessRoute, ContractType, DocumentKind, EmployerConfirmation
from ..models import Dossier, DossierNumberCounter, DossierSubmission


@dataclass(frozen=True)
class Problem:
    """One item of the submission checklist: what is missing, and which step fixes it."""

    step: str
    message: str


def period_inputs(dossier: Dossier) -> list[PeriodInput]:
    return [
        PeriodInput(
            start=p.start_date,
            end=p.end_date,
            hours=p.hours,
            in_branch=(p.idcc or (p.company.idcc if p.company else "")) == BRANCH_IDCC,
            related=p.related_to_cqpt,
            key=str(p.pk),
            employer=p.employer_name,
            siret=p.siret,
        )
        for p in dossier.periods.all()
    ]


def dossier_eligibility(dossier: Dossier, *, reference_date: date) -> EligibilityResult:
    """The 1607-hour computation for a dossier's declared periods."""
    return compute_eligibility(period_inputs(dossier), reference_date)


REQUIRED_DOCUMENTS = {
    AccessRoute.ACCES_LIBRE: [DocumentKind.IDENTITY, DocumentKind.CONTRACT],
    AccessRoute.CONTRAT_PRO: [DocumentKind.IDENTITY, DocumentKind.CONTRACT],
    AccessRoute.PERIODE_PRO: [DocumentKind.IDENTITY, DocumentKind.CONTRACT],
}
ROUTE_CONTRACTS = {
    AccessRoute.CONTRAT_PRO: {ContractType.CONTRAT_PRO},
    AccessRoute.PERIODE_PRO: {ContractType.PERIODE_PRO, ContractType.CDI},
    AccessRoute.ACCES_LIBRE: {ContractType.CDD, ContractType.CDI},
}


def submission_problems(dossier: Dossier, *, reference_date: date) -> list[Problem]:
    """Everything that stops a submission today, as a checklist (empty: ready)."""
    problems: list[Problem] = []
    if not (dossier.last_name and dossier.first_name and dossier.birth_date and dossier.phone and dossier.city):
        problems.append(Problem("identity", _("Complétez votre identité et vos coordonnées.")))
    if dossier.company_id is None or not dossier.contract_type or not dossier.contract_start:
        problems.append(Problem("employment", _("Indiquez votre employeur et votre contrat.")))
    elif dossier.company.idcc != BRANCH_IDCC:
        problems.append(
            Problem("employment", _("Votre employeur ne relève pas de la Branche des Télécommunications (IDCC 2148)."))
        )
    if not dossier.access_route or dossier.cqpt_id is None:
        problems.append(Problem("candidacy", _("Choisissez la voie d'accès et le CQPT visé.")))
    if dossier.funding_scheme_id is None or not dossier.working_time:
        problems.append(
            Problem("funding", _("Indiquez le financement et si l'évaluation a lieu pendant le temps de travail."))
        )
    elif dossier.funding_scheme.handled_elsewhere:
        problems.append(
            Problem(
                "funding",
                _("Ce financement (CIF) relève du Fongecif : adressez votre dossier directement au Fongecif."),
            )
        )
    route = dossier.access_route
    if route and dossier.contract_type and dossier.contract_type not in ROUTE_CONTRACTS[route]:
        problems.append(Problem("candidacy", _("Votre type de contrat ne correspond pas à la voie d'accès choisie.")))
    if route in (AccessRoute.CONTRAT_PRO, AccessRoute.PERIODE_PRO):
        if not dossier.contract_targets_cqpt:
            problems.append(Problem("employment", _("Votre contrat doit viser le CQPT choisi.")))
        if dossier.contract_start and dossier.contract_start > reference_date:
            problems.append(Problem("employment", _("Votre contrat n'a pas encore commencé.")))
        if not dossier.contract_end or dossier.contract_end < reference_date:
            problems.append(
                Problem(
                    "employment",
                    _("Les dates de votre contrat doivent couvrir l'évaluation : indiquez une date de fin à venir."),
                )
            )
    if route == AccessRoute.ACCES_LIBRE:
        eligibility = dossier_eligibility(dossier, reference_date=reference_date)
        if eligibility.has_errors:
            problems.append(Problem("experience", _("Corrigez les périodes d'expérience signalées en erreur.")))
        if not eligibility.is_eligible:
            problems.append(
                Problem(
                    "experience",
                    _(
                        "Il manque %(missing)s heures d'expérience en rapport avec le CQPT dans la Branche sur les 3 dernières années."
                    )
                    % {"missing": floatformat(eligibility.missing_hours, -2)},
                )
            )
    kinds = {d.kind for d in dossier.documents.all()}
    for kind in REQUIRED_DOCUMENTS.get(route, [DocumentKind.IDENTITY]):
        if kind not in kinds:
            problems.append(Problem("documents", _("Pièce manquante : %(kind)s.") % {"kind": DocumentKind(kind).label}))
    if route == AccessRoute.ACCES_LIBRE and DocumentKind.EXPERIENCE_ATTESTATION not in kinds:
        counted = [p for p in dossier.periods.all() if p.related_to_cqpt]
        if not counted or any(p.employer_status != EmployerConfirmation.CONFIRMED for p in counted):
            problems.append(
                Problem(
                    "documents",
                    _(
                        "Joignez une attestation d'expérience de votre employeur (ou faites confirmer vos heures par votre employeur sur le portail)."
                    ),
                )
            )
    return problems


def next_dossier_number(*, year: int) -> str:
    """Take the next number of the year inside the caller's transaction (no gaps, no duplicates)."""
    counter = DossierNumberCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                DossierNumberCounter.objects.create(year=year, last_value=0)
        except IntegrityError:
            pass  # another submission created it first
        counter = DossierNumberCounter.objects.select_for_update().get(year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"CQPT-{year}-{counter.last_value:06d}"


def dossier_snapshot(dossier: Dossier, *, reference_date: date) -> dict:
    """The frozen content of a submission: what AUVICOM reviews, with the eligibility figures."""
    eligibility = dossier_eligibility(dossier, reference_date=reference_date)
    return {
        "identity": {
            "last_name": dossier.last_name,
            "first_name": dossier.first_name,
            "birth_date": dossier.birth_date,
            "email": dossier.candidate.email,
            "phone": dossier.phone,
            "address": dossier.address,
            "postal_code": dossier.postal_code,
            "city": dossier.city,
        },
        "employment": {
            "company": str(dossier.company) if dossier.company else "",
            "job_title": dossier.job_title,
            "contract_type": dossier.contract_type,
            "contract_start": dossier.contract_start,
            "contract_end": dossier.contract_end,
            "contract_targets_cqpt": dossier.contract_targets_cqpt,
        },
        "candidacy": {
            "access_route": dossier.access_route,
            "cqpt": str(dossier.cqpt) if dossier.cqpt else "",
            "funding_scheme": dossier.funding_scheme.code if dossier.funding_scheme else "",
            "working_time": dossier.working_time,
            "initiative": dossier.initiative,
        },
        "periods": [
            {
                "id": r.period.key,
                "employer": r.period.employer,
                "siret": r.period.siret,
                "start": r.period.start,
                "end": r.period.end,
                "hours": r.period.hours,
                "in_branch": r.period.in_branch,
                "related": r.period.related,
                "counted_hours": r.counted_hours,
                "errors": r.errors,
                "notes": r.notes,
            }
            for r in eligibility.periods
        ],
        "eligibility": {
            "window_start": eligibility.window_start,
            "window_end": eligibility.window_end,
            "total_hours": eligibility.total_hours,
            "required_hours": eligibility.required_hours,
            "missing_hours": eligibility.missing_hours,
            "is_eligible": eligibility.is_eligible,
        },
        "documents": [
            {"id": d.pk, "kind": d.kind, "name": d.original_name, "size": d.size} for d in dossier.documents.all()
        ],
    }


def submission_record(*, dossier: Dossier, reference_date: date) -> DossierSubmission:
    """Freeze the dossier as submitted. Side effect: one INSERT."""
    sequence = dossier.submissions.count() + 1
    return DossierSubmission.objects.create(
        dossier=dossier,
        sequence=sequence,
        reference_date=reference_date,
        snapshot=dossier_snapshot(dossier, reference_date=reference_date),
    )
