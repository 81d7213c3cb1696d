"""Forms of AUVICOM's admissibility review: one per transition a reviewer (or administrator) applies.

Each form only shapes the input (types, lengths); the rules (a reason is
required, at least one missing item...) are the guards of candidates.workflow,
whose refusals are shown next to the fields they name.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..enums import MISSING_ITEM_STEPS, AdmissibilityOutcome, InadmissibilityReason, MissingItem

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
        """The `data` passed to the workflow (the comment included)."""
        return {"comment": self.cleaned_data.get("comment") or ""}


class ReleaseForm(_ReviewForm):
    pass


class ClaimForm(_ReviewForm):
    comment = None  # a claim is one button


class AdmissibleForm(_ReviewForm):
    pass


class _MissingItemsMixin(forms.Form):
    missing_common = forms.MultipleChoiceField(
        label=_("Pièces ou informations manquantes"),
        choices=MissingItem.choices,
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

    def missing_items(self) -> list[dict]:
        """Ticked items by code (and the step where the candidate fixes each), then free lines as written."""
        items = [
            {"code": code, "step": MISSING_ITEM_STEPS[code]} for code in self.cleaned_data.get("missing_common", [])
        ]
        items += [
            {"text": line.strip(), "step": ""}
            for line in self.cleaned_data.get("missing_other", "").splitlines()
            if line.strip()
        ]
        return items

    def _check_missing_items_shape(self):
        items = self.missing_items()
        if len(items) > MAX_MISSING_ITEMS:
            self.add_error("missing_other", _("Indiquez au plus %(max)s éléments.") % {"max": MAX_MISSING_ITEMS})
        elif any(len(item.get("text", "")) > 300 for item in items):
            self.add_error("missing_other", _("Chaque ligne doit faire au plus 300 caractères."))


class IncompleteForm(_MissingItemsMixin, _ReviewForm):
    field_order = ["missing_common", "missing_other", "comment"]

    def clean(self):
        cleaned = super().clean()
        self._check_missing_items_shape()
        return cleaned

    def transition_data(self) -> dict:
        return {**super().transition_data(), "missing_items": self.missing_items()}


class _ReasonMixin(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motif d'irrecevabilité"),
        choices=[("", "---------"), *InadmissibilityReason.choices],
        required=False,
    )


class InadmissibleForm(_ReasonMixin, _ReviewForm):
    field_order = ["reason", "comment"]

    def transition_data(self) -> dict:
        return {**super().transition_data(), "reason": self.cleaned_data.get("reason") or ""}


class CorrectionForm(_ReasonMixin, _MissingItemsMixin, _ReviewForm):
    """The administrator's correction of a decision: the new outcome, and why."""

    outcome = forms.ChoiceField(
        label=_("Nouvelle décision"), choices=[("", "---------"), *AdmissibilityOutcome.choices], required=False
    )
    field_order = ["outcome", "reason", "missing_common", "missing_other", "comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].label = _("Motif de la correction")
        self.fields["missing_common"].help_text = _("Seulement si la nouvelle décision est « Incomplet ».")
        self.fields["reason"].help_text = _("Seulement si la nouvelle décision est « Irrecevable ».")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == AdmissibilityOutcome.INCOMPLETE:
            self._check_missing_items_shape()
        return cleaned

    def transition_data(self) -> dict:
        outcome = self.cleaned_data.get("outcome") or ""
        data = {**super().transition_data(), "outcome": outcome}
        if outcome == AdmissibilityOutcome.INCOMPLETE:
            data["missing_items"] = self.missing_items()
        if outcome == AdmissibilityOutcome.INADMISSIBLE:
            data["reason"] = self.cleaned_data.get("reason") or ""
        return data
