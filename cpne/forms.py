"""Forms shape the input; the rules are the workflow's guards and the services' checks."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.enums import Phase

from .enums import DecisionOutcome, MeetingState
from .models import Meeting


class MeetingForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("Date et heure de la séance"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    agenda_cutoff = forms.DateTimeField(
        label=_("Date limite de l'ordre du jour"),
        help_text=_("Les dossiers transmis à la CPNE avant cette date sont inscrits à l'ordre du jour."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    video_link = forms.URLField(
        label=_("Lien de visioconférence"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Meeting
        fields = ["starts_at", "agenda_cutoff", "place", "video_link"]

    def clean(self):
        cleaned = super().clean()
        starts_at, cutoff = cleaned.get("starts_at"), cleaned.get("agenda_cutoff")
        if starts_at and cutoff and cutoff > starts_at:
            self.add_error("agenda_cutoff", _("La date limite doit précéder la séance."))
        if not cleaned.get("place") and not cleaned.get("video_link"):
            self.add_error("place", _("Indiquez un lieu ou un lien de visioconférence."))
        return cleaned


class AttendanceForm(forms.Form):
    """One checkbox per member: present or not."""

    def __init__(self, *args, attendances=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.attendances = list(attendances)
        for attendance in self.attendances:
            member = attendance.member
            self.fields[f"present_{attendance.pk}"] = forms.BooleanField(
                label=f"{member.get_full_name() or member.email} – {attendance.get_college_display()}",
                required=False,
                initial=attendance.present,
            )

    def present_ids(self) -> set[int]:
        return {a.pk for a in self.attendances if self.cleaned_data.get(f"present_{a.pk}")}


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Décision de la commission"), choices=DecisionOutcome.choices)
    reason = forms.CharField(
        label=_("Motif communiqué au candidat (non-délivrance)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    request = forms.CharField(
        label=_("Compléments demandés à l'évaluateur (ajournement)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    redo_phases = forms.MultipleChoiceField(
        label=_("Phases à reprendre (ajournement)"),
        choices=Phase.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class PostponeForm(forms.Form):
    reason = forms.CharField(label=_("Motif du report"), widget=forms.Textarea(attrs={"rows": 2}))


class ConflictForm(forms.Form):
    note = forms.CharField(label=_("Nature du conflit d'intérêts"), required=False, max_length=500)


class CancelMeetingForm(forms.Form):
    reason = forms.CharField(label=_("Motif de l'annulation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    refusal_fields = {"comment": "reason"}

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)

    def transition_data(self):
        return {"comment": self.cleaned_data.get("reason", "")}


class RevocationForm(forms.Form):
    meeting = forms.ModelChoiceField(
        label=_("Séance qui a décidé l'annulation"),
        queryset=Meeting.objects.filter(state__in=[MeetingState.IN_SESSION, MeetingState.CLOSED]).order_by(
            "-starts_at"
        ),
    )
    reason = forms.CharField(
        label=_("Motif de l'annulation (erreur, fraude…)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    refusal_fields = {"comment": "reason"}

    def __init__(self, *args, decision=None, **kwargs):
        super().__init__(*args, **kwargs)

    def transition_data(self):
        return {"meeting": self.cleaned_data["meeting"], "comment": self.cleaned_data.get("reason", "")}


class VerificationForm(forms.Form):
    code = forms.CharField(
        label=_("Code de vérification (8 caractères)"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper().replace(" ", "").replace("-", "")
