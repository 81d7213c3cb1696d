"""Forms of AUVICOM's admissibility review: one per transition a reviewer (or administrator) applies.

Each form only shapes the input; candidates.workflow checks the state, the role
and the guards, and its TransitionError messages are shown as they are.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..enums import AdmissibilityOutcome, InadmissibilityReason

# What is most often missing from a dossier; ticked items are sent to the candidate as written.
COMMON_MISSING_ITEMS = [
    ("identity", _("Pièce d'identité lisible et en cours de validité")),
    ("contract", _("Copie du contrat de travail (toutes les pages)")),
    ("attestation", _("Attestation d'expérience de l'employeur indiquant les heures de travail effectif")),
    ("periods", _("Dates ou heures des périodes d'expérience à préciser")),
    ("contract_cqpt", _("Mention du CQPT visé dans le contrat de professionnalisation")),
    ("funding", _("Accord de l'employeur sur le financement de l'évaluation")),
]
_COMMON_LABELS = dict(COMMON_MISSING_ITEMS)
MAX_MISSING_ITEMS = 20


class _ReviewForm(forms.Form):
    """Base: crispy renders the fields; the template writes the <form> tag and the button."""

    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def transition_data(self) -> dict:
        """The `data` passed to workflow.apply_transition (besides the comment)."""
        return {}


class ReleaseForm(_ReviewForm):
    pass


class ClaimForm(_ReviewForm):
    comment = None  # a claim is one button


class AdmissibleForm(_ReviewForm):
    pass


class _MissingItemsMixin(forms.Form):
    missing_common = forms.MultipleChoiceField(
        label=_("Pièces ou informations manquantes"),
        choices=COMMON_MISSING_ITEMS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    missing_other = forms.CharField(
        label=_("Autres éléments manquants"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Un élément par ligne ; chaque ligne est envoyée au candidat."),
    )

    def missing_items(self) -> list[str]:
        items = [str(_COMMON_LABELS[key]) for key in self.cleaned_data.get("missing_common", [])]
        items += [line.strip() for line in self.cleaned_data.get("missing_other", "").splitlines() if line.strip()]
        return items

    def _check_missing_items(self):
        items = self.missing_items()
        if not items:
            self.add_error("missing_common", _("Indiquez au moins une pièce ou information manquante."))
        elif len(items) > MAX_MISSING_ITEMS:
            self.add_error("missing_other", _("Indiquez au plus %(max)s éléments.") % {"max": MAX_MISSING_ITEMS})
        elif any(len(item) > 300 for item in items):
            self.add_error("missing_other", _("Chaque ligne doit faire au plus 300 caractères."))


class IncompleteForm(_MissingItemsMixin, _ReviewForm):
    field_order = ["missing_common", "missing_other", "comment"]

    def clean(self):
        cleaned = super().clean()
        self._check_missing_items()
        return cleaned

    def transition_data(self) -> dict:
        return {"missing_items": self.missing_items()}


class _ReasonMixin(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motif d'irrecevabilité"),
        choices=[("", "---------"), *InadmissibilityReason.choices],
        required=False,
    )

    def _check_reason(self):
        reason = self.cleaned_data.get("reason")
        if not reason:
            self.add_error("reason", _("Choisissez le motif d'irrecevabilité."))
        elif reason == InadmissibilityReason.OTHER and not self.cleaned_data.get("comment", "").strip():
            self.add_error("comment", _("Précisez le motif dans le commentaire."))


class InadmissibleForm(_ReasonMixin, _ReviewForm):
    field_order = ["reason", "comment"]

    def clean(self):
        cleaned = super().clean()
        self._check_reason()
        return cleaned

    def transition_data(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class CorrectionForm(_ReasonMixin, _MissingItemsMixin, _ReviewForm):
    """The administrator's correction of a decision: the new outcome, and why."""

    outcome = forms.ChoiceField(label=_("Nouvelle décision"), choices=AdmissibilityOutcome.choices)
    field_order = ["outcome", "reason", "missing_common", "missing_other", "comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = True
        self.fields["comment"].label = _("Motif de la correction")
        self.fields["missing_common"].help_text = _("Seulement si la nouvelle décision est « Incomplet ».")
        self.fields["reason"].help_text = _("Seulement si la nouvelle décision est « Irrecevable ».")

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome == AdmissibilityOutcome.INCOMPLETE:
            self._check_missing_items()
        elif outcome == AdmissibilityOutcome.INADMISSIBLE:
            self._check_reason()
        return cleaned

    def transition_data(self) -> dict:
        outcome = self.cleaned_data["outcome"]
        data = {"outcome": outcome}
        if outcome == AdmissibilityOutcome.INCOMPLETE:
            data["missing_items"] = self.missing_items()
        if outcome == AdmissibilityOutcome.INADMISSIBLE:
            data["reason"] = self.cleaned_data["reason"]
        return data


# The transitions offered on the review page, with their form.
TRANSITION_FORMS: dict[str, type[_ReviewForm]] = {
    "claim": ClaimForm,
    "release": ReleaseForm,
    "declare_admissible": AdmissibleForm,
    "declare_incomplete": IncompleteForm,
    "declare_inadmissible": InadmissibleForm,
    "correct_decision": CorrectionForm,
}
