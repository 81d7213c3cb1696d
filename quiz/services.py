"""Write-side of the quiz: the bank (versions, CSV import), opening an attempt, saving answers, closing and
scoring, accommodations and incidents. Each service runs in one transaction and writes its audit row."""

import contextlib
import csv
import datetime
import io
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.workflow import field_problem

from . import scoring
from .draw import NotEnoughQuestions, PoolQuestion, draw, new_seed
from .enums import LIVE_ATTEMPT_STATES, AttemptState, QuestionKind, QuizPurpose
from .models import Attempt, AttemptBlockResult, AttemptQuestion, Incident, Question, QuizDefinition
from .workflow import ATTEMPT_WORKFLOW, set_deadline

CONTENT_FIELDS = ("block_id", "kind", "text", "choices", "explanation")
CHOICE_KEYS = "abcdefgh"

# --- the question bank ---------------------------------------------------------------------------


def choices_problems(kind: str, choices: list[dict]) -> list[str]:
    """What is wrong with a question's choices (2 to 8, texts given, the right number of correct ones)."""
    problems = []
    if not 2 <= len(choices) <= 8:
        problems.append(_("Une question a de 2 à 8 choix (%(count)s donnés).") % {"count": len(choices)})
    if any(not (c.get("text") or "").strip() for c in choices):
        problems.append(_("Chaque choix doit avoir un texte."))
    correct = sum(1 for c in choices if c.get("correct"))
    if kind == QuestionKind.SINGLE and correct != 1:
        problems.append(
            _("Une question à choix unique a exactement une bonne réponse (%(count)s données).") % {"count": correct}
        )
    if kind == QuestionKind.MULTIPLE and correct < 1:
        problems.append(_("Une question à choix multiple a au moins une bonne réponse."))
    if kind not in QuestionKind.values:
        problems.append(_("Type de question inconnu : « %(kind)s ».") % {"kind": kind})
    return problems


def make_choices(texts: list[str], correct_indexes: set[int]) -> list[dict]:
    return [
        {"key": CHOICE_KEYS[i], "text": text.strip(), "correct": i in correct_indexes}
        for i, text in enumerate(texts[: len(CHOICE_KEYS)])
    ]


def question_is_used(question: Question) -> bool:
    return question.pk is not None and AttemptQuestion.objects.filter(question_id=question.pk).exists()


def question_save(*, question: Question, actor) -> Question:
    """Save a question from the admin; a question already drawn in an attempt is never changed in place.

    Side effects: when the stored version was used and its content changed, INSERT of a new version
    (the old one is retired, attempts keep it) instead of an UPDATE; one audit row.
    """
    problems = choices_problems(question.kind, question.choices)
    if problems:
        raise ActionRefused(*problems)
    with transaction.atomic():
        if question.pk is None:
            question.save()
            audit_record(actor=actor, target=question, action="question_created")
            return question
        stored = Question.objects.select_for_update().get(pk=question.pk)
        changed = [f for f in CONTENT_FIELDS if getattr(stored, f) != getattr(question, f)]
        if not changed or not question_is_used(stored):
            question.save()
            audit_record(actor=actor, target=question, action="question_changed", extra={"fields": changed})
            return question
        new = Question(
            cqpt_id=question.cqpt_id,
            block_id=question.block_id,
            kind=question.kind,
            text=question.text,
            choices=question.choices,
            explanation=question.explanation,
            is_active=question.is_active,
            version=stored.version + 1,
            previous=stored,
        )
        new.save()
        Question.objects.filter(pk=stored.pk).update(is_active=False)
        audit_record(
            actor=actor, target=new, action="question_new_version", extra={"previous": stored.pk, "fields": changed}
        )
        return new


@dataclass
class ImportReport:
    created: int = 0
    errors: list = field(default_factory=list)  # [(line number, message)]


CSV_COLUMNS = ["cqpt", "bloc", "type", "question", "choix", "bonnes_reponses", "explication"]


def questions_import_csv(*, text: str, actor) -> ImportReport:
    """Import questions from CSV text (one row per question); every row is checked, nothing is imported if any is wrong.

    Columns: cqpt (code), bloc (code), type (unique|multiple), question, choix (separated by « | »),
    bonnes_reponses (numbers of the correct choices, e.g. « 1,3 »), explication (optional).
    Side effects: INSERT of the questions and one audit row per import, only when every row is valid.
    """
    from catalogue.models import CompetencyBlock

    report = ImportReport()
    text = text.lstrip("\ufeff")
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c != "explication" and c not in headers]
    if missing:
        report.errors.append((1, _("Colonnes manquantes : %(columns)s.") % {"columns": ", ".join(missing)}))
        return report
    blocks = {(b.cqpt.code.lower(), b.code.lower()): b for b in CompetencyBlock.objects.select_related("cqpt")}
    kinds = {"unique": QuestionKind.SINGLE, "single": QuestionKind.SINGLE, "multiple": QuestionKind.MULTIPLE}
    to_create = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        problems = []
        block = blocks.get((row.get("cqpt", "").lower(), row.get("bloc", "").lower()))
        if block is None:
            problems.append(
                _("bloc « %(block)s » inconnu pour le CQPT « %(cqpt)s »")
                % {"block": row.get("bloc", ""), "cqpt": row.get("cqpt", "")}
            )
        kind = kinds.get(row.get("type", "").lower())
        if kind is None:
            problems.append(_("type « %(kind)s » inconnu (unique ou multiple)") % {"kind": row.get("type", "")})
        if not row.get("question"):
            problems.append(_("énoncé vide"))
        texts = list(row.get("choix", "").split("|"))
        try:
            correct = {int(n) - 1 for n in row.get("bonnes_reponses", "").replace(" ", "").split(",") if n}
        except ValueError:
            correct = set()
            problems.append(_("bonnes_reponses doit donner les numéros des bons choix, par exemple « 1,3 »"))
        if any(not 0 <= i < len(texts) for i in correct):
            problems.append(_("une bonne réponse désigne un choix qui n'existe pas"))
        choices = make_choices(texts, correct)
        if kind is not None:
            problems += [str(p) for p in choices_problems(kind, choices)]
        if len(texts) > len(CHOICE_KEYS):
            problems.append(_("plus de 8 choix"))
        if problems:
            report.errors.extend((line, p) for p in problems)
            continue
        to_create.append(
            Question(
                cqpt_id=block.cqpt_id,
                block=block,
                kind=kind,
                text=row["question"],
                choices=choices,
                explanation=row.get("explication", ""),
            )
        )
    if report.errors:
        return report
    if not to_create:
        report.errors.append((1, _("Le fichier ne contient aucune question.")))
        return report
    with transaction.atomic():
        created = Question.objects.bulk_create(to_create)
        audit_record(actor=actor, target=created[0], action="questions_imported", extra={"count": len(created)})
    report.created = len(created)
    return report


# --- opening an attempt --------------------------------------------------------------------------


def attempt_open(
    *,
    definition: QuizDefinition,
    candidate,
    actor,
    window_opens_at: datetime.datetime,
    window_closes_at: datetime.datetime,
    dossier=None,
    evaluation=None,
    replaces: Attempt | None = None,
) -> Attempt:
    """Open an attempt for a candidate and draw its questions (stored, with the order of their choices).

    Side effects: INSERT of the attempt and its drawn questions, one audit row. Raises ActionRefused
    (problems next to the form's fields) when the window, the quiz or the bank does not allow it.
    """
    from evaluation.enums import EvaluationState, QuizState

    problems = []
    if not definition.is_active:
        problems.append(field_problem("definition", _("Ce quiz n'est pas actif.")))
    if window_closes_at <= window_opens_at:
        problems.append(field_problem("window_closes_at", _("La fin de la période doit suivre son début.")))
    elif window_closes_at <= timezone.now():
        problems.append(field_problem("window_closes_at", _("La fin de la période doit être dans le futur.")))
    if definition.purpose == QuizPurpose.PHASE2:
        if evaluation is None or evaluation.state != EvaluationState.IN_PROGRESS:
            problems.append(_("Le quiz de la phase 2 s'ouvre pendant une évaluation en cours."))
        elif evaluation.quiz_state != QuizState.PENDING and replaces is None:
            problems.append(_("Le résultat du quiz de cette évaluation est déjà enregistré."))
    if (
        replaces is None
        and Attempt.objects.filter(candidate=candidate, definition=definition)
        .exclude(state=AttemptState.VOIDED)
        .exists()
    ):
        problems.append(
            _(
                "Ce candidat a déjà une tentative pour ce quiz : une nouvelle tentative s'accorde après un incident, "
                "depuis la tentative existante."
            )
        )
    rules = list(definition.block_rules.select_related("block").order_by("block__position", "id"))
    if not rules:
        problems.append(_("Ce quiz ne définit aucun tirage par bloc."))
    if problems:
        raise _refused(problems)
    pool = list(
        Question.objects.filter(block_id__in=[r.block_id for r in rules], is_active=True).only(
            "id", "block_id", "kind", "text", "choices", "explanation"
        )
    )
    by_id = {q.id: q for q in pool}
    seed = new_seed()
    try:
        drawn = draw(
            seed,
            [PoolQuestion(q.id, q.block_id, tuple(c["key"] for c in q.choices)) for q in pool],
            [(r.block_id, r.question_count) for r in rules],
        )
    except NotEnoughQuestions as short:
        names = {r.block_id: r.block.code for r in rules}
        raise ActionRefused(
            *[
                _("La banque n'a que %(available)s question(s) active(s) pour le bloc %(block)s (%(wanted)s à tirer).")
                % {"available": available, "block": names[block_id], "wanted": wanted}
                for block_id, (wanted, available) in short.shortages.items()
            ]
        ) from None
    with transaction.atomic():
        try:
            with transaction.atomic():
                attempt = Attempt.objects.create(
                    definition=definition,
                    purpose=definition.purpose,
                    candidate=candidate,
                    dossier=dossier,
                    evaluation=evaluation,
                    opened_by=actor,
                    window_opens_at=window_opens_at,
                    window_closes_at=window_closes_at,
                    seed=seed,
                    time_limit_seconds=definition.time_limit_minutes * 60,
                    grace_seconds=definition.grace_seconds,
                    pass_mark=definition.pass_mark,
                    multiple_rule=definition.multiple_rule,
                    extra_seconds=replaces.extra_seconds if replaces else 0,
                    extra_time_reason=replaces.extra_time_reason if replaces else "",
                    replaces=replaces,
                )
        except IntegrityError:
            raise ActionRefused(_("Ce candidat a déjà une tentative pour ce quiz.")) from None
        AttemptQuestion.objects.bulk_create(
            [
                _snapshot(attempt, position, by_id[d.question_id], d.choice_order)
                for position, d in enumerate(drawn, start=1)
            ]
        )
        audit_record(
            actor=actor,
            target=attempt,
            action="open_attempt",
            to_state=attempt.state,
            extra={"questions": len(drawn), "window_closes_at": window_closes_at.isoformat()},
        )
    return attempt


def _snapshot(attempt, position, question, order) -> AttemptQuestion:
    """The drawn question as shown: its choices renumbered 1..n in the drawn order, so keys reveal nothing."""
    by_key = {c["key"]: c for c in question.choices}
    choices = [
        {"key": str(i), "text": by_key[key]["text"], "correct": bool(by_key[key].get("correct")), "source": key}
        for i, key in enumerate(order, start=1)
    ]
    return AttemptQuestion(
        attempt=attempt,
        position=position,
        question_id=question.id,
        block_id=question.block_id,
        kind=question.kind,
        text=question.text,
        choices=choices,
        explanation=question.explanation,
    )


def _refused(problems) -> ActionRefused:
    plain = [p for p in problems if not isinstance(p, tuple)]
    fields: dict = {}
    for name, message in (p for p in problems if isinstance(p, tuple)):
        fields.setdefault(name, []).append(message)
    return ActionRefused(*plain, fields=fields)


# --- answering -----------------------------------------------------------------------------------


def answer_save(*, attempt_id: int, position: int, keys: list[str], actor) -> AttemptQuestion:
    """Save the candidate's answer to one question; the same answer twice is stored once.

    Locks the attempt row, so that two tabs saving at once are applied one after the other (the last one
    wins) and closing (which takes the same lock) never misses an answer being saved. Refused (ActionRefused)
    when the attempt is not the actor's, not in progress, past its deadline plus the grace period, or a choice
    is not the question's.
    Side effects: at most one UPDATE of the drawn question (none when the answer is unchanged).
    """
    now = timezone.now()
    with transaction.atomic():
        # The attempt row first, as closing does: every writer of an attempt's answers takes the same lock.
        attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
        item = AttemptQuestion.objects.filter(attempt_id=attempt_id, position=position).first() if attempt else None
        if item is None:
            raise ActionRefused(_("Cette question n'existe pas dans ce quiz."))
        item.attempt = attempt
        if attempt.candidate_id != getattr(actor, "pk", None):
            raise ActionRefused(_("Ce quiz n'est pas le vôtre."))
        if attempt.state != AttemptState.IN_PROGRESS:
            raise ActionRefused(
                _("Ce quiz n'est pas en cours (« %(state)s ») : la réponse n'est pas enregistrée.")
                % {"state": attempt.get_state_display()}
            )
        if attempt.is_past_grace(now):
            raise ActionRefused(
                _(
                    "Le temps est écoulé : cette réponse, reçue à %(time)s après la fin du temps (%(deadline)s) et du "
                    "délai de grâce, n'est pas enregistrée. Vos réponses précédentes sont conservées et notées."
                )
                % {
                    "time": timezone.localtime(now).strftime("%H:%M:%S"),
                    "deadline": timezone.localtime(attempt.deadline).strftime("%H:%M:%S"),
                }
            )
        chosen = [str(k) for k in keys]
        allowed = item.choice_keys
        if not chosen:
            raise ActionRefused(fields={"choices": [_("Choisissez une réponse.")]})
        if any(k not in allowed for k in chosen):
            raise ActionRefused(fields={"choices": [_("Ce choix n'appartient pas à cette question.")]})
        if item.kind == QuestionKind.SINGLE and len(set(chosen)) != 1:
            raise ActionRefused(fields={"choices": [_("Cette question attend une seule réponse.")]})
        normalised = [k for k in allowed if k in set(chosen)]
        if item.selected == normalised:
            return item
        item.selected = normalised
        item.answered_at = now
        item.saves += 1
        item.save(update_fields=["selected", "answered_at", "saves"])
    return item


# --- closing and scoring -------------------------------------------------------------------------


def attempt_score(attempt: Attempt) -> None:
    """Score an attempt from its saved answers: points per question, a row per block, the overall score.

    Side effects: UPDATE of the drawn questions' points, DELETE/INSERT of the block results; sets the
    attempt's score, passed and band (the caller saves it).
    """
    items = list(attempt.questions.order_by("position"))
    rules = {r.block_id: r for r in attempt.definition.block_rules.all()}
    phase2 = attempt.purpose == QuizPurpose.PHASE2
    score = scoring.score_attempt(
        [
            scoring.ScoredQuestion(
                block_id=i.block_id,
                kind=i.kind,
                correct=frozenset(i.correct_keys),
                all_keys=tuple(i.choice_keys),
                selected=tuple(i.selected) if i.selected else None,
                neutralised=i.neutralised_at is not None,
            )
            for i in items
        ],
        rule=attempt.multiple_rule,
        pass_mark=attempt.pass_mark if phase2 else None,
        block_minimums={b: r.min_percent for b, r in rules.items() if r.min_percent is not None},
    )
    for item, points in zip(items, score.points, strict=True):
        item.points = points
    AttemptQuestion.objects.bulk_update(items, ["points"])
    attempt.block_results.all().delete()
    AttemptBlockResult.objects.bulk_create(
        [
            AttemptBlockResult(
                attempt=attempt,
                block_id=b.block_id,
                questions=b.questions,
                points=b.points,
                percent=b.percent,
                min_percent=b.min_percent,
                passed=b.passed,
                training=(
                    rules[b.block_id].training if b.block_id in rules and b.passed is False and not phase2 else ""
                ),
            )
            for b in score.blocks.values()
        ]
    )
    attempt.score = score.percent
    attempt.passed = score.passed if phase2 else None
    if not phase2:
        bands = [(b.min_percent, b.label, b.advice) for b in attempt.definition.bands.all()]
        attempt.band, attempt.band_advice = scoring.band_for(score.percent, bands)


def attempt_record_phase_result(attempt: Attempt) -> None:
    """A phase-2 attempt's result goes into the evaluation's phase 2 (QUIZ_WORKFLOW "record_quiz_result").

    The actor is the evaluation's evaluator (else whoever opened the attempt). When the evaluation refuses
    (not in progress, a result already recorded), the attempt keeps the reason for the evaluator to see.
    Side effects: the evaluation's transition (its audit row, the candidate's notification), UPDATE of the attempt.
    """
    if attempt.purpose != QuizPurpose.PHASE2 or attempt.evaluation_id is None:
        return
    from evaluation.enums import PhaseResult
    from evaluation.services.phases import evaluation_record_quiz_result

    evaluation = attempt.evaluation
    actor = evaluation.evaluator if evaluation.evaluator_id else attempt.opened_by
    blocks = ", ".join(
        f"{r.block.code} {r.percent if r.percent is not None else '–'} %"
        for r in attempt.block_results.select_related("block")
    )
    comment = _("Quiz noté automatiquement : %(score)s %% (%(blocks)s).") % {"score": attempt.score, "blocks": blocks}
    try:
        evaluation_record_quiz_result(
            evaluation_id=attempt.evaluation_id,
            result=PhaseResult.PASSED if attempt.passed else PhaseResult.FAILED,
            score=attempt.score,
            actor=actor,
            comment=comment,
        )
    except ActionRefused as refused:
        reason = " ".join(str(m) for m in refused.messages) or str(refused)
        Attempt.objects.filter(pk=attempt.pk).update(result_not_recorded_reason=reason)
        return
    now = timezone.now()
    attempt.result_recorded_at = now
    Attempt.objects.filter(pk=attempt.pk).update(result_recorded_at=now, result_not_recorded_reason="")


def attempt_close_if_due(attempt: Attempt) -> Attempt:
    """Close an attempt whose time (plus grace) is over, or lapse one never started in its window.

    Called at every request that looks at an attempt, so that closing does not depend on the beat task.
    Side effects: the workflow's transition when due (scoring, audit, phase-2 result); none otherwise.
    """
    name = None
    now = timezone.now()
    if attempt.state == AttemptState.IN_PROGRESS and attempt.is_past_grace(now):
        name = "expire_attempt"
    elif attempt.state == AttemptState.OPEN and now > attempt.window_closes_at:
        name = "lapse_attempt"
    if name is None:
        return attempt
    with contextlib.suppress(ActionRefused):  # someone (the beat task, another tab) closed it first
        ATTEMPT_WORKFLOW.apply(pk=attempt.pk, name=name, actor=None)
    attempt.refresh_from_db()
    return attempt


def attempts_close_expired() -> dict:
    """Periodic (beat): close and score every attempt past its deadline plus grace; lapse unstarted ones.

    Side effects: one workflow transition per attempt, each in its own transaction.
    """
    now = timezone.now()
    counts = {"closed": 0, "lapsed": 0}
    expired = Attempt.objects.filter(state=AttemptState.IN_PROGRESS, closes_at__lt=now).values_list("pk", flat=True)
    for pk in list(expired):
        try:
            ATTEMPT_WORKFLOW.apply(pk=pk, name="expire_attempt", actor=None)
            counts["closed"] += 1
        except ActionRefused:
            pass
    lapsed = Attempt.objects.filter(state=AttemptState.OPEN, window_closes_at__lt=now).values_list("pk", flat=True)
    for pk in list(lapsed):
        try:
            ATTEMPT_WORKFLOW.apply(pk=pk, name="lapse_attempt", actor=None)
            counts["lapsed"] += 1
        except ActionRefused:
            pass
    return counts


# --- accommodations and incidents ----------------------------------------------------------------


def attempt_grant_extra_time(*, attempt_id: int, minutes: int, reason: str, actor) -> Attempt:
    """Give the candidate extra time (total, in minutes) before or during the attempt, with a reason.

    Side effects: UPDATE of the attempt (its deadline moves when started), one audit row.
    """
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
        problems = []
        if attempt.state not in LIVE_ATTEMPT_STATES or attempt.is_past_grace():
            problems.append(_("Le temps supplémentaire se donne avant ou pendant le quiz."))
        if minutes is None or minutes < 0:
            problems.append(field_problem("minutes", _("Indiquez un nombre de minutes positif.")))
        if not (reason or "").strip():
            problems.append(field_problem("reason", _("Indiquez le motif de l'aménagement.")))
        if problems:
            raise _refused(problems)
        before = attempt.extra_seconds
        attempt.extra_seconds = minutes * 60
        attempt.extra_time_reason = reason.strip()
        set_deadline(attempt)
        attempt.save(update_fields=["extra_seconds", "extra_time_reason", "deadline", "closes_at"])
        audit_record(
            actor=actor,
            target=attempt,
            action="grant_extra_time",
            comment=reason.strip(),
            extra={"extra_minutes": minutes, "previous_minutes": before // 60},
        )
    return attempt


def attempt_neutralise_question(*, attempt_id: int, position: int, reason: str, actor) -> AttemptQuestion:
    """Take one question out of an attempt's scoring (the percentage is computed on the rest), with a reason.

    Side effects: UPDATE of the drawn question; when the attempt is already scored, it is scored again;
    one audit row.
    """
    if not (reason or "").strip():
        raise ActionRefused(fields={"reason": [_("Indiquez pourquoi la question est neutralisée.")]})
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().select_related("definition").get(pk=attempt_id)
        if attempt.state == AttemptState.VOIDED:
            raise ActionRefused(_("Cette tentative est annulée."))
        item = attempt.questions.filter(position=position).first()
        if item is None:
            raise ActionRefused(fields={"position": [_("Cette question n'existe pas dans ce quiz.")]})
        if item.neutralised_at is not None:
            raise ActionRefused(fields={"position": [_("Cette question est déjà neutralisée.")]})
        item.neutralised_at = timezone.now()
        item.neutralised_reason = reason.strip()
        item.save(update_fields=["neutralised_at", "neutralised_reason"])
        if attempt.state == AttemptState.CLOSED:
            attempt_score(attempt)
            attempt.save(update_fields=["score", "passed", "band", "band_advice"])
            if attempt.result_recorded_at is not None:
                attempt_record_phase_result(attempt)  # the evaluation's phase 2 follows the new score
        audit_record(
            actor=actor,
            target=attempt,
            action="neutralise_question",
            comment=reason.strip(),
            extra={"position": position, "question": item.question_id, "score": str(attempt.score or "")},
        )
    return item


def attempt_grant_new(*, attempt_id: int, reason: str, actor, days: int = 7) -> Attempt:
    """After an incident: void this attempt (kept, with its answers) and open a new one for `days` days.

    Side effects: the workflow's "void_attempt" transition, a new attempt with a new draw, audit rows.
    """
    with transaction.atomic():
        old = ATTEMPT_WORKFLOW.apply(pk=attempt_id, name="void_attempt", actor=actor, comment=reason)
        now = timezone.now()
        return attempt_open(
            definition=old.definition,
            candidate=old.candidate,
            actor=actor,
            window_opens_at=now,
            window_closes_at=now + datetime.timedelta(days=days),
            dossier=old.dossier,
            evaluation=old.evaluation,
            replaces=old,
        )


INCIDENT_AFTER_CLOSING = datetime.timedelta(days=2)


def incident_report(*, attempt: Attempt, kind: str, description: str, actor, position: int | None = None) -> Incident:
    """Record an incident (the candidate during the attempt or just after, or the evaluator).

    Side effects: INSERT of the incident, one audit row.
    """
    problems = []
    if not (description or "").strip():
        problems.append(field_problem("description", _("Décrivez l'incident.")))
    if attempt.candidate_id == actor.pk and (
        attempt.state == AttemptState.OPEN
        or (attempt.closed_at is not None and timezone.now() - attempt.closed_at > INCIDENT_AFTER_CLOSING)
    ):
        problems.append(_("Un incident se signale pendant le quiz ou dans les deux jours qui suivent."))
    item = None
    if position:
        item = attempt.questions.filter(position=position).first()
        if item is None:
            problems.append(field_problem("position", _("Cette question n'existe pas dans ce quiz.")))
    if problems:
        raise _refused(problems)
    with transaction.atomic():
        incident = Incident.objects.create(
            attempt=attempt, kind=kind, question=item, description=description.strip(), reported_by=actor
        )
        audit_record(
            actor=actor,
            target=attempt,
            action="report_incident",
            comment=description.strip(),
            extra={"kind": kind, "position": position},
        )
    return incident
