"""The public "Suis-je éligible ?" simulator: a formset of experience periods, no account, nothing stored."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from ..eligibility import PeriodInput

MAX_PERIODS = 20
YES, NO = "oui", "non"
YES_NO = [(YES, _("Oui")), (NO, _("Non"))]


def _is_yes(value: str) -> bool:
    return value == YES


class EligibilityPeriodForm(forms.Form):
    """One declared period, as the candidate would declare it in the dossier (without the SIRET)."""

    employer = forms.CharField(
        label=_("Employeur (facultatif)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    start = forms.DateField(
        label=_("Date de début"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Indiquez la date de début."), "invalid": _("Saisissez une date valide.")},
    )
    end = forms.DateField(
        label=_("Date de fin"),
        help_text=_("Pour un emploi en cours, indiquez la date du jour."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Indiquez la date de fin."), "invalid": _("Saisissez une date valide.")},
    )
    hours = forms.IntegerField(
        label=_("Heures de travail effectif sur la période"),
        min_value=0,
        max_value=99_999,
        help_text=_("Nombre entier, tel qu'il figure sur l'attestation de l'employeur."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
        error_messages={
            "required": _("Indiquez le nombre d'heures."),
            "invalid": _("Saisissez un nombre entier d'heures, sans lettres."),
        },
    )
    in_branch = forms.TypedChoiceField(
        label=_("Employeur de la Branche des Télécommunications (IDCC 2148)"),
        choices=YES_NO,
        coerce=_is_yes,
        widget=forms.RadioSelect,
        help_text=_(
            "L'IDCC figure sur le bulletin de paie : 2148 pour la convention collective des télécommunications."
        ),
        error_messages={"required": _("Répondez oui ou non.")},
    )
    related = forms.TypedChoiceField(
        label=_("En rapport direct avec le CQPT visé"),
        choices=YES_NO,
        coerce=_is_yes,
        widget=forms.RadioSelect,
        error_messages={"required": _("Répondez oui ou non.")},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("La date de fin précède la date de début."))
        return cleaned

    def period_input(self, number: int) -> PeriodInput:
        data = self.cleaned_data
        return PeriodInput(
            start=data["start"],
            end=data["end"],
            hours=data["hours"],
            in_branch=data["in_branch"],
            related=data["related"],
            key=str(number),
            employer=data["employer"],
        )


class BaseEligibilityFormSet(forms.BaseFormSet):
    """Every row is optional but the first; blank rows are ignored. At most MAX_PERIODS rows."""

    default_error_messages = {
        "missing_management_form": _("Le formulaire reçu était incomplet : saisissez à nouveau vos périodes."),
        "too_many_forms": ngettext_lazy(
            "Vous pouvez déclarer au plus %(num)d période.", "Vous pouvez déclarer au plus %(num)d périodes.", "num"
        ),
        "too_few_forms": ngettext_lazy(
            "Déclarez au moins %(num)d période.", "Déclarez au moins %(num)d périodes.", "num"
        ),
    }

    def initial_form_count(self) -> int:
        # Nothing is stored: every row, even one re-displayed from `initial`, is a new, optional row.
        return 0

    def period_inputs(self) -> list[PeriodInput]:
        """The filled rows of a valid formset, numbered from 1 as they are redisplayed (blank rows dropped)."""
        filled = [form for form in self.forms if form.cleaned_data]
        return [form.period_input(n) for n, form in enumerate(filled, start=1)]

    def redisplayed(self, *, add_row: bool = False, drop_blank: bool = False) -> "BaseEligibilityFormSet":
        """An unbound copy showing what was typed (valid or not), optionally without blank rows or with one more."""
        rows = [
            {name: form[name].value() for name in form.fields}
            for form in self.forms
            if not (drop_blank and not form.has_changed())
        ]
        copy = type(self)(initial=rows, prefix=self.prefix)
        wanted = min(max(len(rows), 1) + (1 if add_row else 0), self.max_num)
        copy.extra = max(wanted - copy.min_num, 0)
        return copy


EligibilityFormSet = forms.formset_factory(
    EligibilityPeriodForm,
    formset=BaseEligibilityFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_PERIODS,
    validate_max=True,
    absolute_max=MAX_PERIODS,
)
