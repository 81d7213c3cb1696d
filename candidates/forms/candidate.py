"""The candidate's forms, one per step. Each lists its fields explicitly: nothing else is ever read from a POST."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import Company, Cqpt
from catalogue.validators import normalize_siret, validate_idcc, validate_siret
from funding.models import FundingScheme

from ..enums import AccessRoute, ContractType, DocumentKind, Initiative, WorkingTime
from ..models import Dossier, DossierDocument, ExperiencePeriod
from ..services.candidate import PERIOD_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _check_dates(form, start_field: str, end_field: str) -> None:
    start, end = form.cleaned_data.get(start_field), form.cleaned_data.get(end_field)
    if start and end and end < start:
        form.add_error(end_field, _("La date de fin doit être postérieure à la date de début."))


class IdentityForm(forms.ModelForm):
    class Meta:
        model = Dossier
        fields = ["last_name", "first_name", "birth_date", "phone", "address", "postal_code", "city"]
        widgets = {
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "birth_date": DateInput(attrs={"autocomplete": "bday"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
        }

    def clean_birth_date(self):
        birth_date = self.cleaned_data.get("birth_date")
        if birth_date and birth_date >= timezone.localdate():
            raise ValidationError(_("La date de naissance doit être dans le passé."))
        return birth_date


class CompanySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher votre employeur (raison sociale ou SIRET)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "organization"}),
    )


class EmploymentForm(forms.ModelForm):
    """Employer found by SIRET (a known company), or created from the SIRET, name and IDCC given."""

    siret = forms.CharField(
        label=_("SIRET de votre employeur"),
        required=False,
        max_length=20,
        help_text=_("14 chiffres, sur votre bulletin de paie."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    company_name = forms.CharField(
        label=_("Raison sociale"),
        required=False,
        max_length=200,
        help_text=_("Seulement si votre employeur n'est pas encore connu du portail."),
    )
    company_idcc = forms.CharField(
        label=_("IDCC (convention collective)"),
        required=False,
        max_length=4,
        help_text=_(
            "Seulement si votre employeur n'est pas encore connu du portail : 2148 pour les Télécommunications."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = Dossier
        fields = ["job_title", "contract_type", "contract_start", "contract_end", "contract_targets_cqpt"]
        widgets = {
            "contract_start": DateInput(),
            "contract_end": DateInput(),
        }
        help_texts = {
            "contract_end": _("Laissez vide pour un CDI."),
            "contract_targets_cqpt": _(
                "Pour un contrat ou une période de professionnalisation : cochez si votre contrat vise ce CQPT."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.company: Company | None = None
        self.fields["contract_type"].choices = [("", _("— choisir —")), *ContractType.choices]
        self.order_fields(["siret", "company_name", "company_idcc"])
        if not self.is_bound and self.instance.company_id:
            self.initial.setdefault("siret", self.instance.company.siret)

    def clean_siret(self):
        siret = normalize_siret(self.cleaned_data.get("siret", ""))
        if siret:
            validate_siret(siret)
        return siret

    def clean_company_idcc(self):
        idcc = (self.cleaned_data.get("company_idcc") or "").strip()
        if idcc:
            validate_idcc(idcc)
        return idcc

    def clean(self):
        cleaned = super().clean()
        _check_dates(self, "contract_start", "contract_end")
        siret = cleaned.get("siret")
        if siret:
            self.company = Company.objects.filter(siret=siret).first()
            if self.company is None:
                if not cleaned.get("company_name"):
                    self.add_error(
                        "company_name",
                        _("Cette entreprise n'est pas encore connue du portail : indiquez sa raison sociale."),
                    )
                if not cleaned.get("company_idcc") and "company_idcc" not in self.errors:
                    self.add_error(
                        "company_idcc",
                        _("Cette entreprise n'est pas encore connue du portail : indiquez son IDCC."),
                    )
        return cleaned


class CandidacyForm(forms.ModelForm):
    class Meta:
        model = Dossier
        fields = ["access_route", "cqpt", "initiative", "share_with_employer"]
        widgets = {
            "access_route": forms.RadioSelect,
            "initiative": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["access_route"].choices = AccessRoute.choices
        self.fields["access_route"].required = False
        self.fields["initiative"].choices = Initiative.choices
        current = Q(pk=self.instance.cqpt_id) if self.instance.cqpt_id else Q(pk__in=[])
        self.fields["cqpt"].queryset = Cqpt.objects.filter(Q(is_active=True) | current)
        self.fields["cqpt"].empty_label = _("— choisir —")


def funding_schemes_open(*, today, keep_id=None):
    """Schemes in force today (and the dossier's current one, so it still shows)."""
    in_force = (Q(valid_from__isnull=True) | Q(valid_from__lte=today)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    if keep_id:
        in_force |= Q(pk=keep_id)
    return FundingScheme.objects.filter(in_force)


class FundingForm(forms.ModelForm):
    funding_scheme = forms.ModelChoiceField(
        label=_("Dispositif de financement"),
        queryset=FundingScheme.objects.none(),
        required=False,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Dossier
        fields = ["funding_scheme", "working_time"]
        widgets = {"working_time": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funding_scheme"].queryset = funding_schemes_open(
            today=timezone.localdate(), keep_id=self.instance.funding_scheme_id
        )
        self.fields["funding_scheme"].empty_label = None
        self.fields["working_time"].choices = WorkingTime.choices
        self.fields["working_time"].required = False


class ExperiencePeriodForm(forms.ModelForm):
    siret = forms.CharField(
        label=_("SIRET de l'employeur"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = ExperiencePeriod
        fields = list(PERIOD_FIELDS)  # the service writes these and no others
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "hours": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "idcc": forms.TextInput(attrs={"inputmode": "numeric"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"hours": _("Heures réellement travaillées sur la période (hors congés et absences).")}

    def clean_siret(self):
        siret = normalize_siret(self.cleaned_data.get("siret", ""))
        validate_siret(siret)
        return siret

    def clean(self):
        cleaned = super().clean()
        _check_dates(self, "start_date", "end_date")
        return cleaned


class DocumentUploadForm(forms.ModelForm):
    """A supporting document, checked by its content (PDF, JPEG or PNG, 10 Mo at most)."""

    file = forms.FileField(
        label=_("Fichier (PDF, JPEG ou PNG, 10 Mo au plus)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    class Meta:
        model = DossierDocument
        fields = ["kind", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The file's content and size are checked by services.candidate.document_add.
        self.fields["kind"].choices = [("", _("— choisir —")), *DocumentKind.choices]


class WithdrawalForm(forms.Form):
    """The withdrawal's input; that a reason is given is the workflow's guard (shown next to `reason`)."""

    reason = forms.CharField(
        label=_("Pourquoi retirez-vous votre candidature ?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "aria-required": "true"}),
    )
    confirm = forms.BooleanField(
        label=_("Je confirme retirer ma candidature : ce retrait est définitif."),
        error_messages={"required": _("Cochez la case pour confirmer le retrait.")},
    )
    refusal_fields = {"comment": "reason"}

    def transition_data(self) -> dict:
        return {"comment": self.cleaned_data.get("reason") or ""}
