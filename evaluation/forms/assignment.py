"""The assignment's forms: AUVICOM's choice of an organisation, and the organisation manager's answer.

They shape input only; the workflow's guards (and evaluation_assign) decide.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from ..selectors import eligible_organisations, organisation_evaluators


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class _AnyOrganisationField(forms.TypedChoiceField):
    """Radio buttons of the organisations offered, but any id passes: evaluation_assign says why one is refused."""

    def valid_value(self, value) -> bool:
        return True


class AssignOrganisationForm(forms.Form):
    """AUVICOM's choice among the organisations offered (each labelled with its city and load)."""

    organisation = _AnyOrganisationField(
        label=_("Organisme évaluateur"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        choices=(),
    )

    def __init__(self, *args, organisations=None, evaluation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is None:
            organisations = eligible_organisations(evaluation.dossier) if evaluation is not None else []
        self.fields["organisation"].choices = [(org.pk, organisation_label(org)) for org in organisations]
        self.helper = _helper()


def organisation_label(org) -> str:
    parts = [org.name]
    if org.city:
        parts.append(org.city)
    parts.append(
        _("%(open)s évaluation(s) en cours, %(pending)s désignation(s) en attente")
        % {"open": org.open_evaluations, "pending": org.pending_assignments}
    )
    return " – ".join(str(part) for part in parts)


class AcceptAssignmentForm(forms.Form):
    """The manager names one of the organisation's active evaluators (with their load)."""

    evaluator = forms.TypedChoiceField(
        label=_("Évaluateur qui accompagnera le candidat"), coerce=int, empty_value=None, required=False, choices=()
    )

    def __init__(self, *args, evaluation=None, evaluators=None, **kwargs):
        super().__init__(*args, **kwargs)
        if evaluators is None:
            organisation_id = evaluation.organisation_id if evaluation is not None else None
            evaluators = list(organisation_evaluators(organisation_id)) if organisation_id else []
        self.evaluators = {user.pk: user for user in evaluators}
        self.fields["evaluator"].choices = [("", _("Choisissez…"))] + [
            (
                user.pk,
                _("%(name)s (%(count)s évaluation(s) en cours)")
                % {"name": user.get_full_name() or user.email, "count": user.open_evaluations},
            )
            for user in evaluators
        ]
        self.helper = _helper()

    def transition_data(self) -> dict:
        return {"evaluator": self.evaluators.get(self.cleaned_data.get("evaluator"))}


class DeclineAssignmentForm(forms.Form):
    """The manager declines with a reason (returned to AUVICOM)."""

    comment = forms.CharField(
        label=_("Motif du refus"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("AUVICOM le lira pour désigner un autre organisme."),
    )

    def __init__(self, *args, evaluation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def transition_data(self) -> dict:
        return {"comment": (self.cleaned_data.get("comment") or "").strip()}
