"""The evaluation: results, appointments, notes shown to the candidate, evidence, assessments, synthesis."""

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.enums import FINAL_STATES
from evaluation.models import (
    AccompanimentNote,
    Appointment,
    CompetencyAssessment,
    Evaluation,
    EvidencePiece,
    SynthesisBlock,
    WorkplaceVisit,
)

from ..registry import Erasure, ErasureContext, Export, Kept, RetentionContext, row
from .candidates import until


def evidence_name(piece) -> str:
    return f"evaluation/evaluation-{piece.evaluation_id}/{piece.pk}-{piece.original_name}"


def grid_name(evaluation) -> str:
    return f"evaluation/evaluation-{evaluation.pk}/{evaluation.workplace_grid_name or 'grille.pdf'}"


def export(user) -> Export:
    out = Export()
    evaluations = list(Evaluation.objects.filter(dossier__candidate=user).order_by("pk"))
    ids = [e.pk for e in evaluations]
    out.rows["evaluations"] = [
        {**row(e, exclude=("evaluator", "transmitted_by")), "workplace_grid": grid_name(e) if e.workplace_grid else ""}
        for e in evaluations
    ]
    out.files += [(grid_name(e), e.workplace_grid) for e in evaluations if e.workplace_grid]
    out.rows["appointments"] = [row(a, exclude=("created_by",)) for a in Appointment.objects.filter(evaluation__in=ids)]
    out.rows["workplace_visits"] = [
        row(v, exclude=("created_by",)) for v in WorkplaceVisit.objects.filter(evaluation__in=ids)
    ]
    out.rows["accompaniment_notes"] = [
        row(n, ["id", "evaluation", "text", "created_at"])
        for n in AccompanimentNote.objects.filter(evaluation__in=ids, visible_to_candidate=True)
    ]
    pieces = list(EvidencePiece.objects.filter(evaluation__in=ids).prefetch_related("competencies"))
    out.rows["evidence"] = [
        {
            **row(p, exclude=("uploaded_by",)),
            "file": evidence_name(p),
            "competencies": [c.code for c in p.competencies.all()],
        }
        for p in pieces
    ]
    out.files += [(evidence_name(p), p.file) for p in pieces if p.file]
    out.rows["competency_assessments"] = [
        {**row(a, exclude=("assessed_by",)), "competency_code": a.competency.code}
        for a in CompetencyAssessment.objects.filter(evaluation__in=ids).select_related("competency")
    ]
    out.rows["synthesis"] = [
        {**row(b), "block_code": b.block.code}
        for b in SynthesisBlock.objects.filter(evaluation__in=ids).select_related("block")
    ]
    return out


def _files_of(evaluations) -> list[str]:
    names = list(EvidencePiece.objects.filter(evaluation__in=evaluations).values_list("file", flat=True))
    names += list(evaluations.values_list("workplace_grid", flat=True))
    return [name for name in names if name]


def _clear_files(evaluations) -> int:
    count = EvidencePiece.objects.filter(evaluation__in=evaluations).delete()[0]
    count += evaluations.exclude(workplace_grid="").update(workplace_grid="", workplace_grid_name="")
    return count


def erase(user, context: ErasureContext) -> Erasure:
    """Results stay with their dossier; evidence past its period goes at once."""
    periods = settings.PERSONAL_DATA_RETENTION
    erasure = Erasure()
    for evaluation in Evaluation.objects.filter(dossier__candidate=user).select_related("dossier"):
        dossier = evaluation.dossier
        label = dossier.number or str(dossier.pk)
        files_until = until(dossier, periods["documents_after_decision_months"])
        one = Evaluation.objects.filter(pk=evaluation.pk)
        if files_until and files_until <= timezone.localdate(context.now):
            erasure.files += _files_of(one)
            erasure.deleted["evidence"] = erasure.deleted.get("evidence", 0) + _clear_files(one)
        elif evaluation.evidence.exists() or evaluation.workplace_grid:
            erasure.kept.append(
                Kept(
                    _("Dossier %(number)s : dossier de preuves et grille d'observation") % {"number": label},
                    _("Ils fondent la décision de la CPNE ; ils sont supprimés %(months)s mois après elle.")
                    % {"months": periods["documents_after_decision_months"]},
                    files_until,
                )
            )
        erasure.kept.append(
            Kept(
                _("Dossier %(number)s : résultats de l'évaluation et synthèse") % {"number": label},
                _("Ils fondent la décision de la CPNE et le financement de l'évaluation.")
                + " "
                + _("Pseudonymisés %(months)s mois après la décision finale.")
                % {"months": periods["dossier_after_decision_months"]},
                until(dossier, periods["dossier_after_decision_months"]),
            )
        )
    return erasure


def retention(context: RetentionContext) -> dict[str, int]:
    final = Q(dossier__state__in=FINAL_STATES)
    with_files = Evaluation.objects.filter(
        final, dossier__state_changed_at__lt=context.months_ago("documents_after_decision_months")
    ).filter(Q(evidence__isnull=False) | ~Q(workplace_grid=""))
    with_files = Evaluation.objects.filter(pk__in=with_files.values("pk"))
    report = {
        "evidence_after_decision": EvidencePiece.objects.filter(evaluation__in=with_files).count(),
        "workplace_grids_after_decision": with_files.exclude(workplace_grid="").count(),
    }
    old = Evaluation.objects.filter(
        final, dossier__state_changed_at__lt=context.months_ago("dossier_after_decision_months")
    )
    notes = AccompanimentNote.objects.filter(evaluation__in=old)
    visits = WorkplaceVisit.objects.filter(evaluation__in=old).exclude(address="")
    appointments = Appointment.objects.filter(evaluation__in=old).exclude(place="", remote_link="")
    report["accompaniment_notes"] = notes.count()
    report["visit_addresses"] = visits.count()
    report["appointment_places"] = appointments.count()
    if not context.dry_run:
        context.files.extend(_files_of(with_files))
        _clear_files(with_files)
        notes.delete()
        visits.update(address="", change_reason="")
        appointments.update(place="", remote_link="", change_reason="")
    return report
