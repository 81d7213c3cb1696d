"""Helpers shared by the evaluation tests (no tests here): a CQPT with its grid, an organisation and its staff,
dossiers and evaluations at each step, made through the real services and workflow."""

import datetime
import itertools

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from candidates.enums import DossierState
from catalogue.models import Competency, CompetencyBlock
from cqpt_portal.accounts.enums import Role
from evaluation.enums import CompetencyResult, Opinion, Phase, PhaseResult
from evaluation.models import CompetencyAssessment, SynthesisBlock
from evaluation.services.assignment import evaluation_assign
from evaluation.workflow import EVALUATION_WORKFLOW, EVIDENCE_WORKFLOW, QUIZ_WORKFLOW, WORKPLACE_WORKFLOW
from tests.factories import VALID_SIRETS, CqptFactory, DossierFactory, EvaluatorOrganisationFactory, UserFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
_numbers = itertools.count(1)
_codes = itertools.count(1)


def cqpt_with_grid(blocks=2, competencies=2):
    cqpt = CqptFactory()
    for b in range(blocks):
        block = CompetencyBlock.objects.create(cqpt=cqpt, code=f"B{next(_codes)}", title=f"Bloc {b + 1}", position=b)
        for c in range(competencies):
            Competency.objects.create(block=block, code=f"C{next(_codes)}", title=f"Compétence {c + 1}", position=c)
    return cqpt


def organisation(cqpt, **kwargs):
    org = EvaluatorOrganisationFactory(**kwargs)
    org.cqpts.add(cqpt)
    return org


def manager_of(org, **kwargs):
    return UserFactory(role=Role.EVALUATOR_MANAGER, evaluator_organisation=org, **kwargs)


def evaluator_of(org, **kwargs):
    return UserFactory(role=Role.EVALUATOR, evaluator_organisation=org, **kwargs)


def reviewer():
    return UserFactory(role=Role.AUVICOM_REVIEWER)


def admissible_dossier(cqpt=None, **kwargs):
    cqpt = cqpt or cqpt_with_grid()
    now = timezone.now() - datetime.timedelta(days=3)
    return DossierFactory(
        cqpt=cqpt,
        state=DossierState.ADMISSIBLE,
        number=f"CQPT-2026-{900000 + next(_numbers):06d}",
        submitted_at=now,
        first_submitted_at=now,
        **kwargs,
    )


class Setup:
    """One admissible dossier, one accredited organisation with a manager and an evaluator, one reviewer."""

    def __init__(self, **dossier_kwargs):
        self.cqpt = cqpt_with_grid()
        self.dossier = admissible_dossier(self.cqpt, **dossier_kwargs)
        self.org = organisation(self.cqpt, siret=VALID_SIRETS[4])
        self.manager = manager_of(self.org)
        self.evaluator = evaluator_of(self.org)
        self.reviewer = reviewer()
        self.evaluation = None

    def assign(self):
        self.evaluation = evaluation_assign(
            dossier_id=self.dossier.pk, organisation_id=self.org.pk, actor=self.reviewer
        )
        return self.evaluation

    def accept(self):
        if self.evaluation is None:
            self.assign()
        self.evaluation = EVALUATION_WORKFLOW.apply(
            pk=self.evaluation.pk, name="accept_assignment", actor=self.manager, data={"evaluator": self.evaluator}
        )
        return self.evaluation

    def competencies(self):
        return list(Competency.objects.filter(block__cqpt=self.cqpt).order_by("block__position", "position"))

    def assess_all(self, phase, result=CompetencyResult.ACQUIRED):
        for competency in self.competencies():
            CompetencyAssessment.objects.update_or_create(
                evaluation=self.evaluation,
                phase=phase,
                competency=competency,
                defaults={"result": result, "assessed_by": self.evaluator},
            )

    def add_evidence(self):
        from evaluation.models import EvidencePiece

        piece = EvidencePiece.objects.create(
            evaluation=self.evaluation,
            file=ContentFile(PDF_BYTES, name="preuve.pdf"),
            original_name="preuve.pdf",
            content_type="application/pdf",
            size=len(PDF_BYTES),
            description="Une situation",
            uploaded_by=self.dossier.candidate,
        )
        piece.competencies.set(self.competencies()[:2])
        return piece

    def complete_phases(self):
        """Every phase closed with a result, through the workflow."""
        self.accept()
        self.add_evidence()
        EVIDENCE_WORKFLOW.apply(pk=self.evaluation.pk, name="submit_evidence", actor=self.dossier.candidate)
        self.assess_all(Phase.EVIDENCE)
        EVIDENCE_WORKFLOW.apply(
            pk=self.evaluation.pk, name="close_evidence", actor=self.evaluator, data={"result": PhaseResult.PASSED}
        )
        QUIZ_WORKFLOW.apply(
            pk=self.evaluation.pk, name="record_quiz_result", actor=self.evaluator, data={"result": PhaseResult.PASSED}
        )
        WORKPLACE_WORKFLOW.apply(
            pk=self.evaluation.pk,
            name="schedule_workplace",
            actor=self.evaluator,
            data={
                "scheduled_at": timezone.now() + datetime.timedelta(days=2),
                "address": "1 rue du Site, Paris",
                "working_time": "during",
            },
        )
        self.assess_all(Phase.WORKPLACE)
        evaluation = self.evaluation
        evaluation.refresh_from_db()
        evaluation.workplace_grid.save("grille.pdf", ContentFile(PDF_BYTES), save=True)
        self.evaluation = WORKPLACE_WORKFLOW.apply(
            pk=evaluation.pk, name="close_workplace", actor=self.evaluator, data={"result": PhaseResult.PASSED}
        )
        return self.evaluation

    def write_synthesis(self):
        for block in self.cqpt.blocks.all():
            SynthesisBlock.objects.update_or_create(
                evaluation=self.evaluation, block=block, defaults={"acquired": True, "comment": "Acquis"}
            )
        self.evaluation.refresh_from_db()
        self.evaluation.opinion = Opinion.FAVOURABLE
        self.evaluation.opinion_justification = "Toutes les compétences sont acquises."
        self.evaluation.save(update_fields=["opinion", "opinion_justification"])


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
