"""The funding part of the demo: fees in each state and one paid statement, for the demo funding officer.

The admissible dossiers are demo rows; from the assignment on, everything goes
through the real services and workflows (evaluation and funding), so the fees,
their audit trail and the PDFs are what the portal would have made.
"""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from cqpt_portal.accounts.demo import DEMO_PASSWORD
from cqpt_portal.accounts.enums import Role

# email, first name, last name, scheme code, how far it goes
DEMO_FUNDED = [
    ("nadia.roux@demo.cqpt.fr", "Nadia", "Roux", "contrat_pro", "paid"),
    ("paul.blanc@demo.cqpt.fr", "Paul", "Blanc", "periode_pro", "paid"),
    ("sarah.lemoine@demo.cqpt.fr", "Sarah", "Lemoine", "dif_prioritaire", "in_statement"),
    ("yanis.perrin@demo.cqpt.fr", "Yanis", "Perrin", "contrat_pro", "due"),
    ("julie.caron@demo.cqpt.fr", "Julie", "Caron", "plan_formation", "due"),
    ("marc.henry@demo.cqpt.fr", "Marc", "Henry", "contrat_pro", "committed"),
    ("emma.garnier@demo.cqpt.fr", "Emma", "Garnier", "periode_pro", "abandoned"),
]
ORGANISATION = "Institut de Certification Télécom"
EMPLOYER_SIRET = "73282932000074"  # the demo employer's company: it sees Julie's evaluation


def _pdf(title: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _admissible_dossier(*, email, first, last, scheme, cqpt, company):
    from candidates.enums import AccessRoute, ContractType, DossierState, WorkingTime
    from candidates.models import Dossier
    from candidates.services.dossier import next_dossier_number
    from cqpt_portal.accounts.models import User

    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first, "last_name": last, "role": Role.CANDIDATE, "email_confirmed_at": timezone.now()},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    now = timezone.now() - timedelta(days=40)
    return Dossier.objects.create(
        candidate=user,
        number=next_dossier_number(year=timezone.localdate().year),
        state=DossierState.ADMISSIBLE,
        submitted_at=now,
        first_submitted_at=now,
        last_name=last,
        first_name=first,
        birth_date=timezone.localdate().replace(year=timezone.localdate().year - 30),
        phone="0600000000",
        address="10 rue des Lilas",
        postal_code="75011",
        city="Paris",
        company=company,
        job_title="Conseiller clientèle",
        contract_type=ContractType.CDI,
        contract_start=timezone.localdate().replace(year=timezone.localdate().year - 4),
        access_route=AccessRoute.ACCES_LIBRE,
        cqpt=cqpt,
        funding_scheme=scheme,
        working_time=WorkingTime.DURING,
    )


def _follow_in_full(evaluation, *, candidate, evaluator, manager):
    """The three phases closed and the synthesis transmitted, through the evaluation's workflows."""
    from catalogue.models import Competency
    from evaluation.enums import CompetencyResult, Opinion, Phase, PhaseResult
    from evaluation.models import CompetencyAssessment, EvidencePiece, SynthesisBlock
    from evaluation.workflow import EVALUATION_WORKFLOW, EVIDENCE_WORKFLOW, QUIZ_WORKFLOW, WORKPLACE_WORKFLOW

    competencies = list(Competency.objects.filter(block__cqpt_id=evaluation.dossier.cqpt_id))
    content = _pdf("Preuve")
    piece = EvidencePiece.objects.create(
        evaluation=evaluation,
        file=ContentFile(content, name="preuve.pdf"),
        original_name="preuve.pdf",
        content_type="application/pdf",
        size=len(content),
        description="Accueil et conseil d'un client en boutique.",
        uploaded_by=candidate,
    )
    piece.competencies.set(competencies[:2])
    EVIDENCE_WORKFLOW.apply(pk=evaluation.pk, name="submit_evidence", actor=candidate)

    def assess(phase):
        for competency in competencies:
            CompetencyAssessment.objects.update_or_create(
                evaluation=evaluation,
                phase=phase,
                competency=competency,
                defaults={"result": CompetencyResult.ACQUIRED, "assessed_by": evaluator},
            )

    assess(Phase.EVIDENCE)
    EVIDENCE_WORKFLOW.apply(
        pk=evaluation.pk, name="close_evidence", actor=evaluator, data={"result": PhaseResult.PASSED}
    )
    QUIZ_WORKFLOW.apply(
        pk=evaluation.pk, name="record_quiz_result", actor=evaluator, data={"result": PhaseResult.PASSED}
    )
    WORKPLACE_WORKFLOW.apply(
        pk=evaluation.pk,
        name="schedule_workplace",
        actor=evaluator,
        data={
            "scheduled_at": timezone.now() + timedelta(days=1),
            "address": "12 avenue de la République, Paris",
            "working_time": "during",
        },
    )
    assess(Phase.WORKPLACE)
    evaluation.refresh_from_db()
    evaluation.workplace_grid.save("grille.pdf", ContentFile(_pdf("Grille")), save=True)
    WORKPLACE_WORKFLOW.apply(
        pk=evaluation.pk, name="close_workplace", actor=evaluator, data={"result": PhaseResult.PASSED}
    )
    for block in evaluation.dossier.cqpt.blocks.all():
        SynthesisBlock.objects.update_or_create(
            evaluation=evaluation, block=block, defaults={"acquired": True, "comment": "Acquis."}
        )
    evaluation.refresh_from_db()
    evaluation.opinion = Opinion.FAVOURABLE
    evaluation.opinion_justification = "Toutes les compétences sont acquises."
    evaluation.save(update_fields=["opinion", "opinion_justification"])
    return EVALUATION_WORKFLOW.apply(pk=evaluation.pk, name="transmit", actor=manager)


def demo_funding_seed() -> None:
    """Fees in each state (committed, due, on a statement, paid, not due) and one paid statement (idempotent).

    Side effects: demo candidates and admissible dossiers, their evaluations
    through the real workflows, the fees and two statements (one paid), PDFs
    queued after commit.
    """
    from catalogue.models import Company, EvaluatorOrganisation
    from cqpt_portal.accounts.models import User
    from evaluation.enums import AbandonReason
    from evaluation.services.assignment import evaluation_assign
    from evaluation.workflow import EVALUATION_WORKFLOW

    from .models import Fee, FundingScheme
    from .services import statements_create
    from .workflow import STATEMENT_WORKFLOW

    if Fee.objects.filter(evaluation__dossier__candidate__email=DEMO_FUNDED[0][0]).exists():
        return
    organisation = EvaluatorOrganisation.objects.get(name=ORGANISATION)
    cqpt = organisation.cqpts.filter(blocks__competencies__isnull=False).distinct().order_by("code").first()
    company = Company.objects.get(siret=EMPLOYER_SIRET)
    reviewer = User.objects.get(email="auvicom@demo.cqpt.fr")
    manager = User.objects.get(email="responsable-oe@demo.cqpt.fr")
    evaluator = User.objects.get(email="evaluateur@demo.cqpt.fr")
    officer = User.objects.get(email="financement@demo.cqpt.fr")
    stages = {}
    for email, first, last, code, stage in DEMO_FUNDED:
        dossier = _admissible_dossier(
            email=email,
            first=first,
            last=last,
            scheme=FundingScheme.objects.get(code=code),
            cqpt=cqpt,
            company=company,
        )
        evaluation = evaluation_assign(dossier_id=dossier.pk, organisation_id=organisation.pk, actor=reviewer)
        evaluation = EVALUATION_WORKFLOW.apply(
            pk=evaluation.pk, name="accept_assignment", actor=manager, data={"evaluator": evaluator}
        )
        stages.setdefault(stage, []).append((evaluation, dossier.candidate))

    def follow(stage):
        for evaluation, candidate in stages.get(stage, []):
            _follow_in_full(evaluation, candidate=candidate, evaluator=evaluator, manager=manager)

    follow("paid")
    [paid] = statements_create(actor=officer, organisation_id=organisation.pk)
    STATEMENT_WORKFLOW.apply(
        pk=paid.pk,
        name="mark_statement_paid",
        actor=officer,
        data={"paid_on": timezone.localdate(), "reference": "VIR-DEMO-0001"},
    )
    follow("in_statement")
    statements_create(actor=officer, organisation_id=organisation.pk)
    follow("due")
    for evaluation, _candidate in stages.get("abandoned", []):
        EVALUATION_WORKFLOW.apply(
            pk=evaluation.pk,
            name="abandon",
            actor=evaluator,
            data={"reason": AbandonReason.CANDIDATE_STOPPED},
            comment="Le candidat a quitté l'entreprise.",
        )
