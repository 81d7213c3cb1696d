"""Pages of the quiz: the candidate's list, taking an attempt one question per page (htmx saves each click),
the results, and the staff's pages (opening attempts, accommodations, incidents, every answer).

Every page that looks at an attempt first closes it when its time is over (quiz.services.attempt_close_if_due),
so that closing does not depend on the beat task.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from candidates.models import Dossier
from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.accounts.rules import is_admissibility_reviewer
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.workflow import add_refusal_to_form

from . import selectors, services
from .enums import AttemptState, QuizPurpose
from .forms import AnswerForm, ExtraTimeForm, IncidentForm, NeutraliseForm, NewAttemptForm, OpenAttemptForm
from .models import Attempt
from .rules import is_attempt_candidate, is_attempt_staff
from .workflow import ATTEMPT_WORKFLOW

PAGE_SIZE = 20


def _refusal_messages(request, refused: ActionRefused):
    for message in refused.messages:
        messages.error(request, message)


# --- the candidate ------------------------------------------------------------------------------


@permission_required("quiz.view_my_attempts")
def my_attempts(request):
    page = Paginator(selectors.attempts_of_candidate(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quiz/my_attempts.html", {"page": page, "attempts": page.object_list})


@permission_required("quiz.view_attempt", lookup=(selectors.attempts_for_page, "pk"))
def attempt_detail(request, obj):
    attempt = services.attempt_close_if_due(obj)
    if is_attempt_candidate(request.user, attempt):
        if attempt.state == AttemptState.IN_PROGRESS:
            items = selectors.attempt_items(attempt)
            return redirect("quiz:question", pk=attempt.pk, position=selectors.resume_position(items))
        return render_candidate_attempt(request, attempt)
    return render_staff_attempt(request, attempt)


def render_candidate_attempt(request, attempt, *, incident_form=None, status=200):
    closed = attempt.state == AttemptState.CLOSED
    context = {
        "attempt": attempt,
        "items": selectors.attempt_items(attempt) if closed else [],
        "block_results": selectors.attempt_block_results(attempt) if closed else [],
        "incident_form": incident_form or IncidentForm(),
        "can_start": ATTEMPT_WORKFLOW.is_available(request.user, attempt, "start_attempt"),
        "now": timezone.now(),
    }
    return render(request, "quiz/attempt_candidate.html", context, status=status)


@require_POST
@permission_required("quiz.take_attempt", lookup=(selectors.attempts_for_page, "pk"))
def attempt_start(request, obj):
    try:
        ATTEMPT_WORKFLOW.apply(pk=obj.pk, name="start_attempt", actor=request.user)
    except ActionRefused as refused:
        _refusal_messages(request, refused)
        return redirect("quiz:attempt", pk=obj.pk)
    return redirect("quiz:question", pk=obj.pk, position=1)


@permission_required("quiz.take_attempt", lookup=(selectors.attempts_for_page, "pk"))
def question(request, obj, position):
    """One question per page; "Enregistrer et continuer" saves it without JavaScript and goes to the next one."""
    attempt = services.attempt_close_if_due(obj)
    if attempt.state != AttemptState.IN_PROGRESS:
        if attempt.state == AttemptState.CLOSED and request.method == "POST":
            messages.error(request, _("Le quiz est terminé : cette dernière réponse n'a pas été enregistrée."))
        return redirect("quiz:attempt", pk=attempt.pk)
    items = selectors.attempt_items(attempt)
    if not 1 <= position <= len(items):
        raise Http404
    item = items[position - 1]
    form = AnswerForm(item=item)
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST, item=item)
        keys = AnswerForm.keys_from(request.POST)
        if not keys and request.POST.get("skip"):
            return redirect("quiz:question", pk=attempt.pk, position=min(position + 1, len(items)))
        try:
            services.answer_save(attempt_id=attempt.pk, position=position, keys=keys, actor=request.user)
        except ActionRefused as refused:
            attempt = services.attempt_close_if_due(attempt)
            if attempt.state != AttemptState.IN_PROGRESS:
                _refusal_messages(request, refused)
                return redirect("quiz:attempt", pk=attempt.pk)
            form.is_valid()
            add_refusal_to_form(form, refused)
            status = 422
        else:
            if position < len(items):
                return redirect("quiz:question", pk=attempt.pk, position=position + 1)
            messages.success(request, _("Réponse enregistrée. Vérifiez vos réponses, puis terminez le quiz."))
            return redirect("quiz:question", pk=attempt.pk, position=position)
    context = {
        "attempt": attempt,
        "item": item,
        "items": items,
        "form": form,
        "position": position,
        "is_last": position == len(items),
        "remaining": attempt.remaining_seconds(),
        "last_saved_at": selectors.last_saved_at(items),
        "unanswered": sum(1 for i in items if not i.is_answered),
        "incident_form": IncidentForm(initial={"position": position}),
    }
    return render(request, "quiz/question.html", context, status=status)


@require_POST
@permission_required("quiz.take_attempt", lookup=(Attempt, "pk"))
def answer_save(request, obj, position):
    """htmx: save one click; answers a small status fragment (saved at …, or why not)."""
    try:
        item = services.answer_save(
            attempt_id=obj.pk, position=position, keys=AnswerForm.keys_from(request.POST), actor=request.user
        )
    except ActionRefused as refused:
        closed = services.attempt_close_if_due(obj).state != AttemptState.IN_PROGRESS
        context = {"error": refused.message, "attempt": obj, "closed": closed}
        return render(request, "quiz/_save_status.html", context)
    context = {"saved_at": item.answered_at, "remaining": item.attempt.remaining_seconds(), "attempt": item.attempt}
    return render(request, "quiz/_save_status.html", context)


@require_POST
@permission_required("quiz.take_attempt", lookup=(selectors.attempts_for_page, "pk"))
def attempt_finish(request, obj):
    attempt = services.attempt_close_if_due(obj)
    if attempt.state == AttemptState.IN_PROGRESS:
        try:
            ATTEMPT_WORKFLOW.apply(pk=attempt.pk, name="finish_attempt", actor=request.user)
        except ActionRefused as refused:
            _refusal_messages(request, refused)
        else:
            messages.success(request, _("Votre quiz est terminé et noté."))
    return redirect("quiz:attempt", pk=obj.pk)


@require_POST
@permission_required("quiz.report_incident", lookup=(selectors.attempts_for_page, "pk"))
def incident_report(request, obj):
    form = IncidentForm(request.POST)
    back = request.POST.get("back") or ""
    if form.is_valid():
        try:
            services.incident_report(
                attempt=obj,
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                position=form.cleaned_data.get("position"),
                actor=request.user,
            )
        except ActionRefused as refused:
            add_refusal_to_form(form, refused)
        else:
            messages.success(request, _("L'incident est enregistré ; votre évaluateur le verra."))
            if back.startswith("/") and not back.startswith("//"):
                return redirect(back)
            return redirect("quiz:attempt", pk=obj.pk)
    if is_attempt_candidate(request.user, obj):
        return render_candidate_attempt(request, obj, incident_form=form, status=422)
    return render_staff_attempt(request, obj, bound={"incident": form}, status=422)


# --- staff ---------------------------------------------------------------------------------------


def render_staff_attempt(request, attempt, *, bound=None, status=200):
    bound = bound or {}
    context = {
        "attempt": attempt,
        "items": selectors.attempt_items(attempt),
        "block_results": selectors.attempt_block_results(attempt),
        "incidents": list(selectors.attempts_with_incidents(attempt)),
        "can_manage": is_attempt_staff(request.user, attempt),
        "extra_form": bound.get("extra")
        or ExtraTimeForm(initial={"minutes": attempt.extra_seconds // 60, "reason": attempt.extra_time_reason}),
        "neutralise_form": bound.get("neutralise") or NeutraliseForm(),
        "new_form": bound.get("new") or NewAttemptForm(),
        "incident_form": bound.get("incident") or IncidentForm(),
        "live": attempt.state in (AttemptState.OPEN, AttemptState.IN_PROGRESS),
        "can_void": ATTEMPT_WORKFLOW.is_available(request.user, attempt, "void_attempt"),
    }
    return render(request, "quiz/attempt_staff.html", context, status=status)


def _staff_form_view(form_class, key, call):
    @require_POST
    @permission_required("quiz.manage_attempt", lookup=(selectors.attempts_for_page, "pk"))
    def view(request, obj):
        form = form_class(request.POST)
        if form.is_valid():
            try:
                target = call(request, obj, form.cleaned_data)
            except ActionRefused as refused:
                add_refusal_to_form(form, refused)
            else:
                return redirect("quiz:attempt", pk=target)
        messages.error(request, _("L'action n'est pas enregistrée : corrigez les champs signalés."))
        return render_staff_attempt(request, obj, bound={key: form}, status=422)

    return view


def _extra_time(request, obj, data):
    services.attempt_grant_extra_time(
        attempt_id=obj.pk, minutes=data["minutes"], reason=data["reason"], actor=request.user
    )
    messages.success(request, _("Le temps supplémentaire est accordé."))
    return obj.pk


def _neutralise(request, obj, data):
    services.attempt_neutralise_question(
        attempt_id=obj.pk, position=data["position"], reason=data["reason"], actor=request.user
    )
    messages.success(request, _("La question est neutralisée : elle ne compte plus dans le score."))
    return obj.pk


def _new_attempt(request, obj, data):
    new = services.attempt_grant_new(attempt_id=obj.pk, reason=data.get("comment", ""), actor=request.user)
    messages.success(
        request, _("Une nouvelle tentative est ouverte pour 7 jours ; le candidat la voit sur son tableau de bord.")
    )
    return new.pk


attempt_extra_time = _staff_form_view(ExtraTimeForm, "extra", _extra_time)
attempt_neutralise = _staff_form_view(NeutraliseForm, "neutralise", _neutralise)
attempt_new = _staff_form_view(NewAttemptForm, "new", _new_attempt)


def dossiers_for_quiz_page():
    return Dossier.objects.select_related("candidate", "cqpt", "evaluation", "evaluation__organisation")


@permission_required("quiz.open_attempt", lookup=(dossiers_for_quiz_page, "pk"))
def dossier_quizzes(request, obj):
    """The candidate's quizzes for one dossier; opening a prédiagnostic or the phase-2 quiz."""
    dossier = obj
    evaluation = getattr(dossier, "evaluation", None)
    from .rules import is_dossier_evaluator

    definitions = selectors.definitions_for_dossier(dossier)
    if not is_dossier_evaluator(request.user, dossier):
        if not is_admissibility_reviewer(request.user):
            raise PermissionDenied
        definitions = definitions.filter(purpose=QuizPurpose.PREDIAGNOSTIC)
    form = OpenAttemptForm(request.POST or None, definitions=definitions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                attempt = services.attempt_open(
                    definition=form.cleaned_data["definition"],
                    candidate=dossier.candidate,
                    dossier=dossier,
                    evaluation=evaluation if is_dossier_evaluator(request.user, dossier) else None,
                    actor=request.user,
                    window_opens_at=form.cleaned_data["window_opens_at"],
                    window_closes_at=form.cleaned_data["window_closes_at"],
                )
            except ActionRefused as refused:
                add_refusal_to_form(form, refused)
            else:
                messages.success(request, _("Le quiz est ouvert : le candidat le voit sur son tableau de bord."))
                return redirect("quiz:attempt", pk=attempt.pk)
        status = 422
    page = Paginator(selectors.attempts_of_dossier(dossier), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "dossier": dossier,
        "evaluation": evaluation,
        "form": form,
        "page": page,
        "attempts": page.object_list,
        "has_definitions": definitions.exists(),
    }
    return render(request, "quiz/dossier_quizzes.html", context, status=status)
