"""The accompaniment's pages: plan, reschedule or cancel an appointment; write a note.

Thin views: a form, a service of evaluation.services.accompaniment, a message,
a redirect; a refusal goes next to its field on the re-rendered page.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cqpt_portal.accounts.decorators import permission_required
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.workflow import add_refusal_to_form

from ..enums import AppointmentState
from ..forms.accompaniment import AppointmentForm, CancelForm, NoteForm, RescheduleForm
from ..page import render_evaluation
from ..selectors import evaluations_for_page
from ..services.accompaniment import appointment_cancel, appointment_plan, appointment_reschedule, note_add

_LOOKUP = (evaluations_for_page, "pk")


def _refused_on_page(request, evaluation, key, form, refused):
    add_refusal_to_form(form, refused)
    messages.error(request, _("Rien n'est enregistré : corrigez les champs signalés."))
    return render_evaluation(request, evaluation, forms={key: form})


@require_POST
@permission_required("evaluation.manage_appointments", lookup=_LOOKUP)
def appointment_create(request, obj):
    form = AppointmentForm(request.POST, evaluation=obj)
    if form.is_valid():
        try:
            appointment_plan(evaluation_id=obj.pk, actor=request.user, data=form.appointment_data())
        except ActionRefused as refused:
            return _refused_on_page(request, obj, "appointment", form, refused)
        messages.success(request, _("Le rendez-vous est enregistré ; le candidat le reçoit par e-mail."))
        return redirect("evaluation:detail", pk=obj.pk)
    messages.error(request, _("Rien n'est enregistré : corrigez les champs signalés."))
    return render_evaluation(request, obj, forms={"appointment": form})


@permission_required("evaluation.manage_appointments", lookup=_LOOKUP)
def appointment_change(request, obj, appointment_pk):
    """Reschedule (a new appointment replaces this one) or cancel a planned appointment."""
    appointment = obj.appointments.filter(pk=appointment_pk).first()
    if appointment is None:
        raise Http404
    reschedule_form = RescheduleForm.from_appointment(appointment, evaluation=obj, prefix="reschedule")
    cancel_form = CancelForm(evaluation=obj, prefix="cancel")
    if request.method == "POST" and appointment.state == AppointmentState.PLANNED:
        action = request.POST.get("action")
        try:
            if action == "reschedule":
                reschedule_form = RescheduleForm(request.POST, evaluation=obj, prefix="reschedule")
                if reschedule_form.is_valid():
                    appointment_reschedule(
                        evaluation_id=obj.pk,
                        appointment_id=appointment.pk,
                        actor=request.user,
                        data=reschedule_form.appointment_data(),
                        reason=reschedule_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Le rendez-vous est reporté ; le candidat reçoit la nouvelle date."))
                    return redirect("evaluation:detail", pk=obj.pk)
            elif action == "cancel":
                cancel_form = CancelForm(request.POST, evaluation=obj, prefix="cancel")
                if cancel_form.is_valid():
                    appointment_cancel(
                        evaluation_id=obj.pk,
                        appointment_id=appointment.pk,
                        actor=request.user,
                        reason=cancel_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Le rendez-vous est annulé ; le candidat est prévenu."))
                    return redirect("evaluation:detail", pk=obj.pk)
        except ActionRefused as refused:
            add_refusal_to_form(reschedule_form if action == "reschedule" else cancel_form, refused)
        messages.error(request, _("Rien n'est enregistré : corrigez les champs signalés."))
    return render(
        request,
        "evaluation/accompaniment_appointment.html",
        {
            "evaluation": obj,
            "dossier": obj.dossier,
            "appointment": appointment,
            "reschedule_form": reschedule_form,
            "cancel_form": cancel_form,
        },
    )


@require_POST
@permission_required("evaluation.add_note", lookup=_LOOKUP)
def note_create(request, obj):
    form = NoteForm(request.POST, evaluation=obj)
    if form.is_valid():
        try:
            note_add(
                evaluation_id=obj.pk,
                actor=request.user,
                text=form.cleaned_data["text"],
                visible_to_candidate=form.cleaned_data["visible_to_candidate"],
            )
        except ActionRefused as refused:
            return _refused_on_page(request, obj, "note", form, refused)
        messages.success(request, _("La note est enregistrée."))
        return redirect("evaluation:detail", pk=obj.pk)
    messages.error(request, _("Rien n'est enregistré : corrigez les champs signalés."))
    return render_evaluation(request, obj, forms={"note": form})


urlpatterns = [
    path("<int:pk>/rendez-vous/", appointment_create, name="appointment_create"),
    path("<int:pk>/rendez-vous/<int:appointment_pk>/", appointment_change, name="appointment_change"),
    path("<int:pk>/notes/", note_create, name="note_create"),
]
