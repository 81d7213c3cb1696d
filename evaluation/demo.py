"""Demo evaluations, one at each step, made through the real services and workflows (called by seed_demo).

The demo organisation's manager (responsable-oe@) and evaluator (evaluateur@)
get evaluations awaiting their answer, with evidence being gathered or to
assess, a quiz result to record, a site visit scheduled, a synthesis to write
and one transmitted to the CPNE; the demo candidate (candidat@) has an
evaluation in progress, with an appointment and a note, to see their
evaluation page and timeline. Idempotent: a candidate who has a dossier is
left as is.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from candidates.demo import blank_pdf, demo_candidate, demo_dossier_submit
from candidates.models import Dossier
from candidates.workflow import apply_transition
from catalogue.models import Competency, EvaluatorOrganisation
from cqpt_portal.accounts.models import User

from .enums import CompetencyResult, Opinion, Phase, PhaseResult, WorkingTime
from .models import Evaluation
from .services.accompaniment import appointment_plan, note_add
from .services.assessment import competencies_assess
from .services.assignment import evaluation_assign
from .services.evidence import evidence_add
from .services.phases import evaluation_record_quiz_result, workplace_grid_upload
from .services.synthesis import BlockVerdict, synthesis_save
from .workflow import EVALUATION_WORKFLOW, EVIDENCE_WORKFLOW, WORKPLACE_WORKFLOW

DEMO_ORGANISATION = "Institut de Certification Télécom"
REVIEWER = "auvicom@demo.cqpt.fr"
MANAGER = "responsable-oe@demo.cqpt.fr"
EVALUATOR = "evaluateur@demo.cqpt.fr"
CANDIDATE = "candidat@demo.cqpt.fr"

# The steps, in order: each evaluation is taken up to its step.
AWAITING, COLLECTING, SUBMITTED, QUIZ, SCHEDULED, SYNTHESIS, TRANSMITTED = range(7)

# Fictitious candidates (email, first name, last name, CQPT, employer's SIRET, hours, step).
DEMO_EVALUATIONS = [
    ("nora.lambert@demo.cqpt.fr", "Nora", "Lambert", "ccad", "73282932000074", 2200, AWAITING),
    ("yanis.roux@demo.cqpt.fr", "Yanis", "Roux", "ccpd", "44306184100047", 2600, SUBMITTED),
    ("chloe.fontaine@demo.cqpt.fr", "Chloé", "Fontaine", "ccad", "55210055400013", 1900, QUIZ),
    ("mehdi.blanc@demo.cqpt.fr", "Mehdi", "Blanc", "ccad", "38012986600105", 2800, SCHEDULED),
    ("sarah.chevalier@demo.cqpt.fr", "Sarah", "Chevalier", "ccpd", "73282932000074", 3000, SYNTHESIS),
    ("lucas.garnier@demo.cqpt.fr", "Lucas", "Garnier", "ccad", "44306184100047", 2500, TRANSMITTED),
]


def _working_day(days: int, hour: int, minute: int = 0):
    """A moment on a weekday at least `days` from now (a site visit or an appointment is not on a weekend)."""
    moment = (timezone.localtime() + timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


def _pdf_upload(name: str):
    upload = SimpleUploadedFile(name, blank_pdf(name), content_type="application/pdf")
    return upload


def _competencies(dossier: Dossier) -> list[Competency]:
    return list(Competency.objects.filter(block__cqpt_id=dossier.cqpt_id).order_by("block__position", "position"))


def _admissible(dossier: Dossier, reviewer: User) -> None:
    apply_transition(dossier_id=dossier.pk, name="claim", actor=reviewer)
    apply_transition(dossier_id=dossier.pk, name="declare_admissible", actor=reviewer)


def _add_evidence(evaluation, candidate, competencies) -> None:
    halves = [competencies[: len(competencies) // 2 or 1], competencies[len(competencies) // 2 :] or competencies]
    for number, chosen in enumerate(halves, start=1):
        upload = _pdf_upload(f"preuve-{number}.pdf")
        evidence_add(
            evaluation_id=evaluation.pk,
            actor=candidate,
            uploaded=upload,
            description=f"Situation de travail n° {number} : échanges clients documentés et résolus.",
            competency_ids=[c.pk for c in chosen],
        )


def _assess(evaluation, phase, evaluator, competencies, result) -> None:
    competencies_assess(
        evaluation_id=evaluation.pk,
        phase=phase,
        actor=evaluator,
        results={c.pk: (result, "Observé et conforme au référentiel.") for c in competencies},
    )


def _evaluation_to(step: int, *, dossier: Dossier, staff: dict) -> None:
    """Take a submitted dossier through admissibility and the evaluation up to the given step."""
    reviewer, manager, evaluator = staff["reviewer"], staff["manager"], staff["evaluator"]
    candidate = dossier.candidate
    _admissible(dossier, reviewer)
    evaluation = evaluation_assign(dossier_id=dossier.pk, organisation_id=staff["organisation"].pk, actor=reviewer)
    if step == AWAITING:
        return
    EVALUATION_WORKFLOW.apply(pk=evaluation.pk, name="accept_assignment", actor=manager, data={"evaluator": evaluator})
    competencies = _competencies(dossier)
    _add_evidence(evaluation, candidate, competencies)
    if step == COLLECTING:
        return
    EVIDENCE_WORKFLOW.apply(pk=evaluation.pk, name="submit_evidence", actor=candidate)
    if step == SUBMITTED:
        return
    _assess(evaluation, Phase.EVIDENCE, evaluator, competencies, CompetencyResult.ACQUIRED)
    EVIDENCE_WORKFLOW.apply(
        pk=evaluation.pk,
        name="close_evidence",
        actor=evaluator,
        data={"result": PhaseResult.PASSED, "comment": "Preuves solides pour chaque compétence."},
    )
    if step == QUIZ:
        return
    evaluation_record_quiz_result(
        evaluation_id=evaluation.pk, result=PhaseResult.PASSED, score=82, actor=evaluator, comment="Quiz réussi."
    )
    WORKPLACE_WORKFLOW.apply(
        pk=evaluation.pk,
        name="schedule_workplace",
        actor=evaluator,
        data={
            "scheduled_at": _working_day(10, 9, 30),
            "address": f"{dossier.company.name if dossier.company_id else ''}\n12 avenue de la République",
            "working_time": WorkingTime.DURING,
        },
    )
    if step == SCHEDULED:
        return
    _assess(evaluation, Phase.WORKPLACE, evaluator, competencies, CompetencyResult.ACQUIRED)
    workplace_grid_upload(evaluation_id=evaluation.pk, actor=evaluator, uploaded=_pdf_upload("grille-signee.pdf"))
    WORKPLACE_WORKFLOW.apply(
        pk=evaluation.pk,
        name="close_workplace",
        actor=evaluator,
        data={"result": PhaseResult.PASSED, "comment": "Gestes professionnels maîtrisés."},
    )
    if step == SYNTHESIS:
        return
    synthesis_save(
        evaluation_id=evaluation.pk,
        actor=evaluator,
        blocks=[
            BlockVerdict(block_id=block.pk, acquired=True, comment="Acquis dans les trois phases.")
            for block in dossier.cqpt.blocks.all()
        ],
        opinion=Opinion.FAVOURABLE,
        justification="Toutes les compétences sont acquises, en preuves comme en situation réelle.",
    )
    EVALUATION_WORKFLOW.apply(pk=evaluation.pk, name="transmit", actor=manager, data={"confirm": True})


def _demo_candidate_evaluation(staff: dict) -> None:
    """The demo candidate's own evaluation: in progress, evidence being gathered, an appointment and a note."""
    candidate = User.objects.get(email=CANDIDATE)
    if Dossier.objects.filter(candidate=candidate).exists():
        return
    dossier = demo_dossier_submit(user=candidate, cqpt_code="ccad", siret="73282932000074", hours=2400)
    _evaluation_to(COLLECTING, dossier=dossier, staff=staff)
    evaluation = Dossier.objects.get(pk=dossier.pk).evaluation
    appointment_plan(
        evaluation_id=evaluation.pk,
        actor=staff["evaluator"],
        data={
            "title": "Point d'étape sur le dossier de preuves",
            "starts_at": _working_day(5, 14),
            "duration_minutes": 60,
            "place": "",
            "remote_link": "https://visio.example.org/cqpt-demo",
            "working_time": WorkingTime.DURING,
        },
    )
    note_add(
        evaluation_id=evaluation.pk,
        actor=staff["evaluator"],
        text="Pensez à joindre une preuve pour chaque compétence du bloc relation client.",
        visible_to_candidate=True,
    )


def demo_evaluations_seed() -> list[str]:
    """Create the demo evaluations (once) and return the lines to print. Needs the demo accounts and catalogue."""
    organisation = EvaluatorOrganisation.objects.get(name=DEMO_ORGANISATION)
    staff = {
        "organisation": organisation,
        "reviewer": User.objects.get(email=REVIEWER),
        "manager": User.objects.get(email=MANAGER),
        "evaluator": User.objects.get(email=EVALUATOR),
    }
    for email, first, last, cqpt_code, siret, hours, step in DEMO_EVALUATIONS:
        user = demo_candidate(email=email, first=first, last=last)
        if Dossier.objects.filter(candidate=user).exists():
            continue
        dossier = demo_dossier_submit(user=user, cqpt_code=cqpt_code, siret=siret, hours=hours)
        _evaluation_to(step, dossier=dossier, staff=staff)
    _demo_candidate_evaluation(staff)
    count = Evaluation.objects.filter(organisation=organisation).count()
    return [f"Demo evaluations: {count} at {DEMO_ORGANISATION} (responsable-oe@ and evaluateur@)."]
