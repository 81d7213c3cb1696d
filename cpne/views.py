"""The CPNE's pages: thin views that validate a form, call a service or the workflow, and redirect."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.files.responses import private_file_response
from cqpt_portal.workflow import add_refusal_to_form

from . import selectors, services
from .enums import MeetingState
from .forms import AttendanceForm, ConflictForm, DecisionForm, MeetingForm, PostponeForm, VerificationForm
from .models import AgendaItem, Certificate, Decision, Meeting
from .workflow import DECISION_WORKFLOW, MEETING_WORKFLOW


def _meetings():
    return Meeting.objects.all()


def _items():
    return AgendaItem.objects.select_related("meeting", "dossier")


@permission_required("cpne.view_dashboard")
def dashboard(request):
    past = Paginator(selectors.past_meetings(), 10).get_page(request.GET.get("page"))
    return render(
        request,
        "cpne/dashboard.html",
        {
            "upcoming": list(selectors.upcoming_meetings()),
            "past": past,
            "membership": getattr(request.user, "cpne_membership", None),
            "can_manage": request.user.has_perm("cpne.manage_meeting"),
        },
    )


@permission_required("cpne.manage_meeting")
def meeting_create(request):
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting = services.meeting_create(actor=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("La séance est programmée ; %(count)s dossier(s) à l'ordre du jour.") % {"count": meeting.items.count()},
        )
        return redirect("cpne:meeting", meeting.pk)
    return render(request, "cpne/meeting_form.html", {"form": form})


def _meeting_page(request, meeting, *, attendance_form=None, bound=None, status=200):
    can_manage = request.user.has_perm("cpne.manage_meeting")
    items = list(selectors.agenda(meeting))
    for item in items:
        decision = getattr(item, "decision", None)
        if can_manage and meeting.state == MeetingState.IN_SESSION and not item.postponed_at:
            if bound and bound[0] == item.pk:
                item.decision_form = bound[1]
            else:
                initial = (
                    {
                        "outcome": decision.outcome,
                        "reason": decision.reason,
                        "request": decision.request,
                        "redo_phases": decision.redo_phases,
                    }
                    if decision
                    else None
                )
                item.decision_form = DecisionForm(prefix=f"item{item.pk}", initial=initial)
        item.my_conflict = any(c.member_id == request.user.pk for c in item.conflicts.all())
    attendances = list(meeting.attendances.select_related("member"))
    if attendance_form is None and can_manage and meeting.state == MeetingState.IN_SESSION:
        attendance_form = AttendanceForm(attendances=attendances)
    actions = []
    for transition in MEETING_WORKFLOW.available(request.user, meeting):
        form = transition.form(prefix=transition.name, meeting=meeting) if transition.form else None
        actions.append({"transition": transition, "form": form})
    return render(
        request,
        "cpne/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "attendances": attendances,
            "present": selectors.present_by_college(meeting),
            "quorum": selectors.quorum_per_college(),
            "attendance_form": attendance_form,
            "actions": actions,
            "can_manage": can_manage,
            "can_declare": request.user.has_perm("cpne.declare_conflict"),
            "can_revoke": request.user.has_perm("cpne.revoke_decision"),
            "progress": selectors.batch_progress(meeting) if meeting.state == MeetingState.CLOSED else None,
            "postpone_form": PostponeForm(),
            "conflict_form": ConflictForm(),
        },
        status=status,
    )


@permission_required("cpne.view_meeting", lookup=(_meetings, "pk"))
def meeting_detail(request, obj):
    return _meeting_page(request, obj)


@require_POST
@permission_required("cpne.manage_meeting", lookup=(_meetings, "pk"))
def meeting_transition(request, obj):
    name = request.POST.get("transition", "")
    try:
        transition = MEETING_WORKFLOW[name]
    except ActionRefused:
        raise Http404 from None
    form = transition.form(request.POST, prefix=name, meeting=obj) if transition.form else None
    try:
        applied = MEETING_WORKFLOW.submit_form(pk=obj.pk, name=name, actor=request.user, form=form)
    except ActionRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
        return redirect("cpne:meeting", obj.pk)
    if applied is None:
        for message in form.errors.get("__all__", []) + [
            m for k, v in form.errors.items() if k != "__all__" for m in v
        ]:
            messages.error(request, message)
        return redirect("cpne:meeting", obj.pk)
    messages.success(request, transition.success_message)
    return redirect("cpne:meeting", obj.pk)


@require_POST
@permission_required("cpne.manage_meeting", lookup=(_meetings, "pk"))
def attendance(request, obj):
    form = AttendanceForm(request.POST, attendances=obj.attendances.select_related("member"))
    if form.is_valid():
        try:
            services.attendance_record(meeting_id=obj.pk, actor=request.user, present_ids=form.present_ids())
        except ActionRefused as refused:
            add_refusal_to_form(form, refused)
            return _meeting_page(request, obj, attendance_form=form, status=400)
        messages.success(request, _("Les présences sont enregistrées."))
    return redirect(reverse("cpne:meeting", args=[obj.pk]) + "#presences")


@require_POST
@permission_required("cpne.manage_meeting", lookup=(_items, "pk"))
def decision_record(request, obj):
    form = DecisionForm(request.POST, prefix=f"item{obj.pk}")
    if form.is_valid():
        try:
            services.decision_record(item_id=obj.pk, actor=request.user, **form.cleaned_data)
        except ActionRefused as refused:
            add_refusal_to_form(form, refused)
        else:
            messages.success(
                request,
                _("La décision sur le dossier %(number)s est enregistrée ; elle sera publiée à la clôture.")
                % {"number": obj.dossier.number},
            )
            return redirect(reverse("cpne:meeting", args=[obj.meeting_id]) + f"#item-{obj.pk}")
    return _meeting_page(request, obj.meeting, bound=(obj.pk, form), status=400)


@require_POST
@permission_required("cpne.manage_meeting", lookup=(_items, "pk"))
def item_postpone(request, obj):
    form = PostponeForm(request.POST)
    try:
        services.item_postpone(
            item_id=obj.pk, actor=request.user, reason=form.cleaned_data["reason"] if form.is_valid() else ""
        )
    except ActionRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Le dossier est reporté à la séance suivante."))
    return redirect(reverse("cpne:meeting", args=[obj.meeting_id]) + f"#item-{obj.pk}")


@require_POST
@permission_required("cpne.declare_conflict", lookup=(_items, "pk"))
def conflict_declare(request, obj):
    form = ConflictForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.conflict_declare(item_id=obj.pk, member=request.user, note=note)
    except ActionRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Votre conflit d'intérêts est enregistré : vous ne prenez pas part à ce dossier."))
    return redirect("cpne:meeting", obj.meeting_id)


@permission_required("cpne.view_meeting", lookup=(selectors.items_for_members, "pk"))
def item_detail(request, obj):
    evaluation = getattr(obj.dossier, "evaluation", None)
    return render(
        request,
        "cpne/item_detail.html",
        {"item": obj, "dossier": obj.dossier, "evaluation": evaluation, **selectors.synthesis_of(evaluation)},
    )


@permission_required("cpne.view_minutes", lookup=(_meetings, "pk"))
def minutes_download(request, obj):
    return private_file_response(
        obj.minutes, content_type="application/pdf", download_name=f"proces-verbal-cpne-{obj.pk}.pdf", inline=False
    )


def _certificates():
    return Certificate.objects.select_related("decision__dossier")


@permission_required("cpne.download_certificate", lookup=(_certificates, "pk"))
def certificate_download(request, obj):
    if obj.revoked_at:
        raise Http404
    return private_file_response(
        obj.pdf, content_type="application/pdf", download_name=f"{obj.number}.pdf", inline=False
    )


def _decisions():
    return Decision.objects.select_related("dossier", "meeting")


@permission_required("cpne.revoke_decision", lookup=(_decisions, "pk"))
def decision_revoke(request, obj):
    transition = DECISION_WORKFLOW["revoke"]
    form = transition.form(request.POST or None, prefix="revoke", decision=obj)
    if request.method == "POST":
        try:
            applied = DECISION_WORKFLOW.submit_form(pk=obj.pk, name="revoke", actor=request.user, form=form)
        except ActionRefused as refused:
            add_refusal_to_form(form, refused)
            applied = None
        if applied is not None:
            messages.success(request, transition.success_message)
            return redirect("cpne:meeting", obj.meeting_id)
    return render(
        request,
        "cpne/decision_revoke.html",
        {"decision": obj, "form": form, "transition": transition},
        status=400 if request.method == "POST" else 200,
    )


# --- the public verification page (no account) ---------------------------------------------------


def _masked(name: str) -> str:
    """ "Camille Martin" -> "Camille M.": enough to recognise the holder, not to harvest names."""
    parts = name.split()
    if len(parts) < 2:
        return (name[:1] + "…") if name else ""
    return " ".join([parts[0], *[p[:1] + "." for p in parts[1:]]])


def _verification(request, code: str, form):
    certificate = selectors.certificate_by_code(code) if code else None
    return render(
        request,
        "cpne/verify.html",
        {
            "form": form,
            "code": code,
            "certificate": certificate,
            "masked_name": _masked(certificate.candidate_name) if certificate else "",
            "searched": bool(code),
        },
    )


@ratelimit(key="ip", rate="20/m", block=True)
@ratelimit(key="ip", rate="200/h", block=True)
def verify(request):
    form = VerificationForm(request.GET or None)
    code = form.cleaned_data["code"] if form.is_bound and form.is_valid() else ""
    return _verification(request, code, form)


@ratelimit(key="ip", rate="20/m", block=True)
@ratelimit(key="ip", rate="200/h", block=True)
def verify_code(request, code):
    code = code.strip().upper()[:20]
    return _verification(request, code, VerificationForm(initial={"code": code}))
