"""Forms of phase 2 (the quiz result recorded by the evaluator), phase 3 (the mise en situation) and abandonment.

They shape the input (types, lengths, choices); the rules (a date in the
future, a reason for a report, the signed grid before closing...) are the
guards of evaluation.workflow, whose refusals are shown next to these fields.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cqpt_portal.files.validation import validate_document_upload

from ..enums import AbandonReason, PhaseResult, WorkingTime

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class _TransitionForm(forms.Form):
    """Base: crispy renders the fields; _transition_form.html writes the <form> tag and the button."""

    def __init__(self, *args, evaluation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.evaluation = evaluation
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def transition_data(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


def _result_field():
    return forms.ChoiceField(
        label=_("Résultat de la phase"),
        choices=[("", "—"), *PhaseResult.choices],
        required=False,  # the workflow's guard says what is missing, next to this field
        widget=forms.RadioSelect,
    )


def _comment_field(label=None, help_text=""):
    return forms.CharField(
        label=label or _("Commentaire"),
        required=False,
        max_length=4000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QuizResultForm(_TransitionForm):
    """The evaluator records the result of a quiz taken outside the portal (until the online quiz exists)."""

    result = _result_field()
    score = forms.DecimalField(
        label=_("Score (en %)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text=_("Facultatif : le pourcentage de bonnes réponses, entre 0 et 100."),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100", "inputmode": "decimal"}),
    )
    comment = _comment_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = PhaseResult.choices


class ScheduleWorkplaceForm(_TransitionForm):
    """Date, time and place of the mise en situation at the company's site (the address is prefilled)."""

    scheduled_at = forms.DateTimeField(
        label=_("Date et heure"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    address = forms.CharField(
        label=_("Adresse du site de l'entreprise"),
        required=False,
        max_length=1000,
        help_text=_("Reprise de l'entreprise du dossier : complétez ou corrigez-la."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    working_time = forms.ChoiceField(
        label=_("Temps de travail"), choices=WorkingTime.choices, required=False, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.evaluation is not None and not self.is_bound:
            current = current_visit(self.evaluation)
            self.initial.setdefault("address", workplace_address(self.evaluation, current))
            self.initial.setdefault("working_time", current.working_time if current else WorkingTime.DURING)

    def clean_scheduled_at(self):
        value = self.cleaned_data.get("scheduled_at")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class RescheduleWorkplaceForm(ScheduleWorkplaceForm):
    comment = _comment_field(_("Motif du report"))

    field_order = ["scheduled_at", "address", "working_time", "comment"]


class CloseWorkplaceForm(_TransitionForm):
    """The phase's result; the signed grid and the per-competency observations are checked by the guard."""

    result = _result_field()
    comment = _comment_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].choices = PhaseResult.choices


class AbandonForm(_TransitionForm):
    reason = forms.ChoiceField(label=_("Motif de l'abandon"), choices=[], required=False)
    comment = _comment_field(_("Précisions"), help_text=_("Obligatoire pour « Autre motif »."))
    confirm = forms.BooleanField(
        label=_("Je confirme l'abandon : le dossier sera clos et le candidat prévenu."),
        required=True,
        error_messages={"required": _("Cochez la case pour confirmer l'abandon.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", _("— Choisissez un motif —")), *AbandonReason.choices]

    def transition_data(self) -> dict:
        data = super().transition_data()
        data.pop("confirm", None)
        return data


class WorkplaceGridForm(forms.Form):
    """The signed observation grid (PDF or scan), checked by its content."""

    grid = forms.FileField(
        label=_("Grille d'observation signée"),
        help_text=_("PDF, JPEG ou PNG."),
        error_messages={"required": _("Choisissez le fichier de la grille signée.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_grid(self):
        upload = self.cleaned_data["grid"]
        self.detected = validate_document_upload(upload)
        return upload


def current_visit(evaluation):
    return next((v for v in evaluation.visits.all() if v.is_current), None)


def workplace_address(evaluation, current=None) -> str:
    """The address to prefill: the current visit's, else the dossier's company (name and city)."""
    if current is not None:
        return current.address
    company = evaluation.dossier.company
    if company is None:
        return ""
    return "\n".join(part for part in (company.name, company.city) if part)
