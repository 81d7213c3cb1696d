"""The CPNE's demo: seated members, a past meeting with released decisions and one certificate, an upcoming one.

Dossiers are filed, declared admissible, evaluated and transmitted through the
real services and workflows (the evidence, the grid and the synthesis are
written as the evaluator's pages would); the meetings are held through
cpne.services and cpne.workflow. Idempotent: nothing is done twice.
"""

import datetime
import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cqpt_portal.accounts.demo import DEMO_PASSWORD
from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.models import User

from .enums import College, DecisionOutcome
from .models import CpneMembership, Meeting

# email, first name, last name, college (the first is the demo account of DEMO_ACCOUNTS)
DEMO_MEMBERS = [
    ("cpne@demo.cqpt.fr", "Claire", "Dubois", College.EMPLOYERS),
    ("cpne-employeurs@demo.cqpt.fr", "Marc", "Lefèvre", College.EMPLOYERS),
    ("cpne-salaries-1@demo.cqpt.fr", "Nadia", "Roux", College.UNIONS),
    ("cpne-salaries-2@demo.cqpt.fr", "Thomas", "Blanc", College.UNIONS),
]
# email, first name, last name, CQPT code, SIRET
DEMO_CPNE_CANDIDATES = [
    ("jules.bonnet@demo.cqpt.fr", "Jules", "Bonnet", "ccad", "73282932000074"),
    ("manon.lambert@demo.cqpt.fr", "Manon", "Lambert", "ccpd", "44306184100047"),
    ("yanis.fontaine@demo.cqpt.fr", "Yanis", "Fontaine", "ccad", "55210055400013"),
    ("chloe.rousseau@demo.cqpt.fr", "Chloé", "Rousseau", "ccpd", "73282932000074"),
]


def _user(email, first, last, role):
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first, "last_name": last, "role": role, "email_confirmed_at": timezone.now()},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _pdf(title: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _filed_and_admissible(candidate, cqpt_code, siret):
    """A dossier filed by the candidate's services, submitted, claimed and declared admissible by AUVICOM."""
    from candidates.enums import AccessRoute, ContractType, DocumentKind, WorkingTime
    from candidates.services.candidate import (
        document_add,
        dossier_start,
        dossier_update_employment,
        dossier_update_step,
        period_save,
    )
    from candidates.workflow import apply_transition
    from catalogue.models import Company, Cqpt
    from funding.models import FundingScheme

    today = timezone.localdate()
    company = Company.objects.get(siret=siret)
    dossier = dossier_start(candidate=candidate)
    steps = {
        "identity": {
            "birth_date": today.replace(year=today.year - 28),
            "phone": "0600000000",
            "address": "5 avenue de la République",
            "postal_code": "69003",
            "city": "Lyon",
        },
        "candidacy": {
            "access_route": AccessRoute.ACCES_LIBRE,
            "cqpt": Cqpt.objects.get(code=cqpt_code),
            "share_with_employer": True,
        },
        "funding": {
            "funding_scheme": FundingScheme.objects.get(code="plan_formation"),
            "working_time": WorkingTime.DURING,
        },
    }
    dossier_update_step(dossier_id=dossier.pk, actor=candidate, step="identity", values=steps["identity"])
    dossier_update_employment(
        dossier_id=dossier.pk,
        actor=candidate,
        siret=siret,
        values={
            "job_title": "Conseiller clientèle",
            "contract_type": ContractType.CDI,
            "contract_start": today - datetime.timedelta(days=1000),
        },
    )
    dossier_update_step(dossier_id=dossier.pk, actor=candidate, step="candidacy", values=steps["candidacy"])
    dossier_update_step(dossier_id=dossier.pk, actor=candidate, step="funding", values=steps["funding"])
    period_save(
        dossier_id=dossier.pk,
        actor=candidate,
        values={
            "employer_name": company.name,
            "siret": siret,
            "idcc": company.idcc,
            "start_date": today - datetime.timedelta(days=900),
            "end_date": today - datetime.timedelta(days=10),
            "hours": 2600,
            "related_to_cqpt": True,
            "description": "Relation client.",
        },
    )
    for kind in (DocumentKind.IDENTITY, DocumentKind.CONTRACT, DocumentKind.EXPERIENCE_ATTESTATION):
        upload = SimpleUploadedFile(f"{kind}.pdf", _pdf(kind), content_type="application/pdf")
        document_add(dossier_id=dossier.pk, actor=candidate, kind=kind, uploaded=upload)
    reviewer = User.objects.get(email="auvicom@demo.cqpt.fr")
    apply_transition(dossier_id=dossier.pk, name="submit", actor=candidate)
    apply_transition(dossier_id=dossier.pk, name="claim", actor=reviewer)
    return apply_transition(dossier_id=dossier.pk, name="declare_admissible", actor=reviewer)


def _evaluated_and_transmitted(dossier):
    """The demo organisation evaluates the dossier (three phases, grid, synthesis) and transmits it to the CPNE."""
    from catalogue.models import Competency
    from evaluation.enums import CompetencyResult, Opinion, Phase, PhaseResult
    from evaluation.models import CompetencyAssessment, EvidencePiece, SynthesisBlock
    from evaluation.services.assignment import evaluation_assign
    from evaluation.workflow import EVALUATION_WORKFLOW, EVIDENCE_WORKFLOW, QUIZ_WORKFLOW, WORKPLACE_WORKFLOW

    reviewer = User.objects.get(email="auvicom@demo.cqpt.fr")
    manager = User.objects.get(email="responsable-oe@demo.cqpt.fr")
    evaluator = User.objects.get(email="evaluateur@demo.cqpt.fr")
    candidate = dossier.candidate
    evaluation = evaluation_assign(
        dossier_id=dossier.pk, organisation_id=manager.evaluator_organisation_id, actor=reviewer
    )
    EVALUATION_WORKFLOW.apply(pk=evaluation.pk, name="accept_assignment", actor=manager, data={"evaluator": evaluator})
    competencies = list(Competency.objects.filter(block__cqpt_id=dossier.cqpt_id))
    piece = EvidencePiece.objects.create(
        evaluation=evaluation,
        file=ContentFile(_pdf("preuve"), name="preuve.pdf"),
        original_name="preuve.pdf",
        content_type="application/pdf",
        size=1,
        description="Traitement d'une réclamation client de bout en bout.",
        uploaded_by=candidate,
    )
    piece.competencies.set(competencies)
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
    passed = {"result": PhaseResult.PASSED}
    EVIDENCE_WORKFLOW.apply(pk=evaluation.pk, name="close_evidence", actor=evaluator, data=passed)
    QUIZ_WORKFLOW.apply(pk=evaluation.pk, name="record_quiz_result", actor=evaluator, data=passed)
    WORKPLACE_WORKFLOW.apply(
        pk=evaluation.pk,
        name="schedule_workplace",
        actor=evaluator,
        data={
            "scheduled_at": timezone.now() + datetime.timedelta(days=1),
            "address": "Plateau clientèle, Lyon",
            "working_time": "during",
        },
    )
    assess(Phase.WORKPLACE)
    evaluation.refresh_from_db()
    evaluation.workplace_grid.save("grille.pdf", ContentFile(_pdf("grille")), save=True)
    WORKPLACE_WORKFLOW.apply(pk=evaluation.pk, name="close_workplace", actor=evaluator, data=passed)
    for block in dossier.cqpt.blocks.all():
        SynthesisBlock.objects.update_or_create(
            evaluation=evaluation, block=block, defaults={"acquired": True, "comment": "Bloc acquis."}
        )
    evaluation.refresh_from_db()
    evaluation.opinion = Opinion.FAVOURABLE
    evaluation.opinion_justification = "Les trois phases sont réussies ; toutes les compétences sont acquises."
    evaluation.save(update_fields=["opinion", "opinion_justification"])
    EVALUATION_WORKFLOW.apply(pk=evaluation.pk, name="transmit", actor=manager)


def cpne_demo_seed() -> None:
    """Seat the demo members; hold a past meeting (one award with its certificate, one refusal); plan the next.

    Side effects: demo users, dossiers, evaluations, meetings, decisions, a certificate (its PDF by Celery after
    commit), notifications. Needs the demo accounts and the catalogue first.
    """
    from .services import attendance_record, decision_record, item_postpone, meeting_create
    from .workflow import MEETING_WORKFLOW

    for email, first, last, college in DEMO_MEMBERS:
        user = _user(email, first, last, Role.CPNE_MEMBER)
        CpneMembership.objects.get_or_create(user=user, defaults={"college": college})
    secretary = User.objects.get(email="secretaire-cpne@demo.cqpt.fr")
    if Meeting.objects.filter(created_by=secretary).exists():
        return
    dossiers = []
    for email, first, last, cqpt_code, siret in DEMO_CPNE_CANDIDATES:
        candidate = _user(email, first, last, Role.CANDIDATE)
        dossier = _filed_and_admissible(candidate, cqpt_code, siret)
        dossiers.append(dossier)
        if len(dossiers) <= 2:
            _evaluated_and_transmitted(dossier)

    now = timezone.now()
    past = meeting_create(
        actor=secretary,
        starts_at=now - datetime.timedelta(days=14),
        agenda_cutoff=now,
        place="Paris, siège de la Branche des télécommunications",
    )
    MEETING_WORKFLOW.apply(pk=past.pk, name="open", actor=secretary)
    attendance_record(
        meeting_id=past.pk, actor=secretary, present_ids=set(past.attendances.values_list("pk", flat=True))
    )
    ours = {dossier.pk for dossier in dossiers[:2]}
    for item in past.items.exclude(dossier_id__in=ours):  # another demo's dossier: for the next meeting
        item_postpone(item_id=item.pk, actor=secretary, reason="Synthèse reçue trop tard pour être examinée.")
    first, second = past.items.filter(dossier_id__in=ours).order_by("position")
    decision_record(item_id=first.pk, actor=secretary, outcome=DecisionOutcome.AWARDED)
    decision_record(
        item_id=second.pk,
        actor=secretary,
        outcome=DecisionOutcome.NOT_AWARDED,
        reason="Le bloc « Relation client » n'est pas acquis au vu de la mise en situation.",
    )
    MEETING_WORKFLOW.apply(pk=past.pk, name="close", actor=secretary)
    Meeting.objects.filter(pk=past.pk).update(agenda_cutoff=past.starts_at - datetime.timedelta(days=7))

    for dossier in dossiers[2:]:
        _evaluated_and_transmitted(dossier)
    meeting_create(
        actor=secretary,
        starts_at=now + datetime.timedelta(days=21),
        agenda_cutoff=now + datetime.timedelta(days=14),
        video_link="https://visio.example.org/cpne-telecoms",
    )
