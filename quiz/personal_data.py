"""What the quiz holds about a person (registered in QuizConfig.ready, see docs/personal_data.md).

An attempt is an evaluation result: it follows the evaluation provider's rules. Attempts of a path
never submitted (no dossier, or a draft never filed) go on request; the others stay with their dossier
and lose their free texts (extra-time reason, void reason, incidents) `dossier_after_decision_months`
after the final decision, when the evaluation's results are pseudonymised too.
"""

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.enums import FINAL_STATES, DossierState
from personal_data.providers.candidates import until
from personal_data.registry import Erasure, ErasureContext, Export, Kept, RetentionContext, row

from .enums import AttemptState
from .models import Attempt, AttemptBlockResult, AttemptQuestion, Incident

# A live attempt's drawn questions are exported without what would give the answers away.
ANSWER_FIELDS = ("correct",)


def _question(item: AttemptQuestion, finished: bool) -> dict:
    data = row(item, exclude=("question",))
    if not finished:
        data["choices"] = [{k: v for k, v in c.items() if k not in ANSWER_FIELDS} for c in item.choices]
        data["explanation"] = ""
        data["points"] = None
    return data


def export(user) -> Export:
    out = Export()
    attempts = list(Attempt.objects.filter(candidate=user).order_by("pk"))
    ids = [a.pk for a in attempts]
    finished = {a.pk for a in attempts if a.state not in (AttemptState.OPEN, AttemptState.IN_PROGRESS)}
    out.rows["attempts"] = [row(a, exclude=("opened_by", "seed")) for a in attempts]
    out.rows["questions"] = [
        _question(q, q.attempt_id in finished) for q in AttemptQuestion.objects.filter(attempt__in=ids)
    ]
    out.rows["block_results"] = [
        {**row(r), "block_code": r.block.code}
        for r in AttemptBlockResult.objects.filter(attempt__in=ids).select_related("block")
    ]
    # Incidents on her attempts: what was reported, not who among the staff reported it.
    out.rows["incidents"] = [
        {**row(i, exclude=("reported_by",)), "reported_by_you": i.reported_by_id == user.pk}
        for i in Incident.objects.filter(attempt__in=ids)
    ]
    return out


def _never_submitted() -> Q:
    return Q(dossier__isnull=True) | Q(
        dossier__state=DossierState.DRAFT,
        dossier__first_submitted_at__isnull=True,
        dossier__submitted_at__isnull=True,
    )


def _delete(attempts) -> int:
    pks = list(attempts.values_list("pk", flat=True))
    Attempt.objects.filter(pk__in=pks).update(replaces=None)  # the chain of new attempts is PROTECT
    Incident.objects.filter(attempt__in=pks).delete()
    return Attempt.objects.filter(pk__in=pks).delete()[1].get(Attempt._meta.label, 0)


def _pseudonymise(attempts) -> int:
    """Clear the free texts about the person; scores and answers stay as statistics (the account is pseudonymised)."""
    pks = list(attempts.values_list("pk", flat=True))
    Incident.objects.filter(attempt__in=pks).delete()
    Attempt.objects.filter(pk__in=pks).update(extra_time_reason="", void_reason="", result_not_recorded_reason="")
    return len(pks)


def _to_clear(attempts):
    """Attempts holding free text about the person (or incidents)."""
    return attempts.filter(
        ~Q(extra_time_reason="") | ~Q(void_reason="") | ~Q(result_not_recorded_reason="") | Q(incidents__isnull=False)
    ).distinct()


def erase(user, context: ErasureContext) -> Erasure:
    periods = settings.PERSONAL_DATA_RETENTION
    months = periods["dossier_after_decision_months"]
    erasure = Erasure()
    mine = Attempt.objects.filter(candidate=user)
    erasure.deleted["attempts_without_submitted_dossier"] = _delete(mine.filter(_never_submitted()))
    today = timezone.localdate(context.now)
    kept = mine.exclude(_never_submitted()).select_related("dossier")
    for dossier in sorted({a.dossier for a in kept}, key=lambda d: d.pk):
        dossier_attempts = Attempt.objects.filter(candidate=user, dossier=dossier)
        results_until = until(dossier, months)
        if results_until and results_until <= today:
            cleared = _pseudonymise(_to_clear(dossier_attempts))
            erasure.deleted["attempts_pseudonymised"] = erasure.deleted.get("attempts_pseudonymised", 0) + cleared
        erasure.kept.append(
            Kept(
                _("Dossier %(number)s : tentatives de quiz, réponses et scores")
                % {"number": dossier.number or dossier.pk},
                _("Elles font partie des résultats de l'évaluation, qui fondent la décision de la CPNE.")
                + " "
                + _("Pseudonymisées %(months)s mois après la décision finale.") % {"months": months},
                results_until,
            )
        )
    return erasure


def retention(context: RetentionContext) -> dict[str, int]:
    cutoff = context.months_ago("dossier_after_decision_months")
    old = Attempt.objects.filter(dossier__state__in=FINAL_STATES, dossier__state_changed_at__lt=cutoff)
    to_clear = _to_clear(old)
    # Attempts tied to no dossier found no decision: they go after the same period.
    orphans = Attempt.objects.filter(dossier__isnull=True, created_at__lt=cutoff)
    report = {"attempts_pseudonymised": to_clear.count(), "attempts_without_dossier_deleted": orphans.count()}
    if not context.dry_run:
        _pseudonymise(to_clear)
        _delete(orphans)
    return report
