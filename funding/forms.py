"""The funding officer's inputs. They shape the data; the rules are the workflow's guards and the services'."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import EvaluatorOrganisation

from .enums import FeeState, Payer
from .models import FundingScheme


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class StatementCreateForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisme évaluateur"),
        queryset=EvaluatorOrganisation.objects.order_by("name"),
        required=False,
        empty_label=_("Tous les organismes (un relevé par organisme)"),
    )
    due_until = forms.DateField(
        label=_("Forfaits dus jusqu'au (inclus)"),
        required=False,
        widget=DateInput(),
        help_text=_("Laissez vide pour reprendre tous les forfaits dus."),
    )


class MarkPaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Date du virement"), widget=DateInput())
    reference = forms.CharField(label=_("Référence du virement"), max_length=100)

    def __init__(self, *args, statement=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("paid_on", timezone.localdate())


class CancelStatementForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'annulation"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    refusal_fields = {"comment": "reason"}

    def __init__(self, *args, statement=None, **kwargs):
        super().__init__(*args, **kwargs)

    def transition_data(self):
        return {"comment": self.cleaned_data["reason"]}


class SchemeChangeForm(forms.Form):
    scheme = forms.ModelChoiceField(label=_("Nouveau dispositif de financement"), queryset=FundingScheme.objects.all())
    reason = forms.CharField(label=_("Motif du changement"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        if dossier is not None:
            self.fields["scheme"].queryset = FundingScheme.objects.exclude(pk=dossier.funding_scheme_id)


class FeeFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("État"), choices=[("", _("Tous"))] + FeeState.choices, required=False)
    payer = forms.ChoiceField(label=_("Payé par"), choices=[("", _("Tous"))] + Payer.choices, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Organisme"),
        queryset=EvaluatorOrganisation.objects.order_by("name"),
        required=False,
        empty_label=_("Tous"),
    )
