from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.models import Cqpt

from ..enums import AccessRoute, EmployerConfirmation
from ..models import EmployerInvitation
from ..services.dossier import ROUTE_CONTRACTS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class InvitationForm(forms.ModelForm):
    """The employer's proposal: who, which CQPT, through which route and contract."""

    class Meta:
        model = EmployerInvitation
        fields = [
            "email",
            "first_name",
            "last_name",
            "cqpt",
            "access_route",
            "contract_type",
            "contract_start",
            "contract_end",
            "message",
        ]
        widgets = {
            "contract_start": DateInput(),
            "contract_end": DateInput(),
            "message": forms.Textarea(attrs={"rows": 4, "maxlength": 500}),
        }
        help_texts = {
            "email": _(
                "Le lien de la proposition sera envoyé à cette adresse ; seul le titulaire de ce compte pourra l'accepter."
            ),
            "message": _(
                "Facultatif, 500 caractères au plus, sans lien ni HTML. Il figurera dans l'e-mail envoyé au salarié."
            ),
            "contract_end": _("Obligatoire pour un contrat ou une période de professionnalisation."),
        }

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["cqpt"].queryset = Cqpt.objects.filter(is_active=True)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True

    def clean_message(self):
        from ..services.employer import invitation_message_problem

        message = (self.cleaned_data.get("message") or "").strip()
        problem = invitation_message_problem(message)
        if problem:
            raise forms.ValidationError(problem)
        return message

    def clean_email(self):
        # One pending proposal per address: checked by services.employer.invitation_create.
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        route, contract = data.get("access_route"), data.get("contract_type")
        if route and contract and contract not in ROUTE_CONTRACTS[AccessRoute(route)]:
            self.add_error("contract_type", _("Ce type de contrat ne correspond pas à la voie d'accès choisie."))
        start, end = data.get("contract_start"), data.get("contract_end")
        if start and end and end < start:
            self.add_error("contract_end", _("La fin du contrat doit être postérieure à son début."))
        if route in (AccessRoute.CONTRAT_PRO, AccessRoute.PERIODE_PRO) and not end:
            self.add_error("contract_end", _("Indiquez la date de fin du contrat ou de la période."))
        return data


class PeriodConfirmationForm(forms.Form):
    """The employer's answer on hours declared at their company."""

    decision = forms.ChoiceField(
        label=_("Votre réponse"),
        choices=[
            (EmployerConfirmation.CONFIRMED, _("Je confirme ces heures")),
            (EmployerConfirmation.DISPUTED, _("Je conteste ces heures")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire si vous contestez : précisez ce qui est inexact (dates, heures, fonctions…)."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == EmployerConfirmation.DISPUTED and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Expliquez pourquoi vous contestez ces heures."))
        return data
