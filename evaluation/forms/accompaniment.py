"""Forms of the accompaniment: an appointment (planned or rescheduled), its cancellation, a note.

They shape the input; the rules (a date in the future, a reason given) are the
services' (evaluation.services.accompaniment), whose refusals go next to the fields.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..enums import WorkingTime
from ..models import Appointment


class _Form(forms.Form):
    """Crispy renders the fields; the template writes the <form> tag and the button."""

    def __init__(self, *args, evaluation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.evaluation = evaluation
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class AppointmentForm(_Form):
    title = forms.CharField(label=_("Objet du rendez-vous"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Date et heure"), widget=DateTimeLocalInput())
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"),
        min_value=15,
        max_value=480,
        initial=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 15}),
    )
    place = forms.CharField(
        label=_("Lieu"),
        max_length=300,
        required=False,
        help_text=_("Une adresse, ou laissez vide pour un rendez-vous à distance."),
    )
    remote_link = forms.URLField(
        label=_("Lien de visioconférence"), max_length=500, required=False, assume_scheme="https"
    )
    working_time = forms.ChoiceField(label=_("Temps de travail"), choices=WorkingTime.choices, widget=forms.RadioSelect)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("place") and not cleaned.get("remote_link") and "place" not in self.errors:
            self.add_error("place", _("Indiquez un lieu ou un lien de visioconférence."))
        return cleaned

    def appointment_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "reason"}

    @classmethod
    def from_appointment(cls, appointment: Appointment, **kwargs):
        initial = {
            "title": appointment.title,
            "duration_minutes": appointment.duration_minutes,
            "place": appointment.place,
            "remote_link": appointment.remote_link,
            "working_time": appointment.working_time,
        }
        return cls(initial=initial, **kwargs)


class RescheduleForm(AppointmentForm):
    reason = forms.CharField(
        label=_("Motif du report"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(_Form):
    reason = forms.CharField(
        label=_("Motif de l'annulation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(_Form):
    text = forms.CharField(label=_("Note"), max_length=8000, widget=forms.Textarea(attrs={"rows": 3}))
    visible_to_candidate = forms.BooleanField(
        label=_("Visible par le candidat"),
        required=False,
        help_text=_("Sans cette case, la note reste privée à votre organisme."),
    )
