from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cqpt_portal.catalogue.validators import normalize_siret, validate_siret

from .enums import Role
from .models import User


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    error_messages = {
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "inactive": _(
            "Ce compte n'est pas encore activé : suivez le lien reçu par e-mail pour confirmer votre adresse."
        ),
    }


class RegistrationForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Je suis"),
        choices=[(Role.CANDIDATE, _("Salarié ou candidat au CQPT")), (Role.EMPLOYER, _("Employeur (entreprise)"))],
        widget=forms.RadioSelect,
        initial=Role.CANDIDATE,
    )
    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 12 caractères ; les mots de passe courants sont refusés."),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    company_siret = forms.CharField(
        label=_("SIRET de l'entreprise"),
        required=False,
        max_length=20,
        help_text=_("Employeurs uniquement : 14 chiffres."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    company_name = forms.CharField(
        label=_("Raison sociale"), required=False, max_length=200, help_text=_("Employeurs uniquement.")
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_company_siret(self):
        value = normalize_siret(self.cleaned_data.get("company_siret", ""))
        if value:
            validate_siret(value)
        return value

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        if p1:
            candidate_user = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, candidate_user)
            except ValidationError as error:
                self.add_error("password1", error)
        if cleaned.get("role") == Role.EMPLOYER:
            if not cleaned.get("company_siret") and "company_siret" not in self.errors:
                self.add_error("company_siret", _("Indiquez le SIRET de votre entreprise."))
            if not cleaned.get("company_name"):
                self.add_error("company_name", _("Indiquez la raison sociale de votre entreprise."))
        return cleaned


class PortalPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Adresse e-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code à 6 chiffres de votre application d'authentification"),
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Langue des e-mails et du portail"), choices=[("fr", "Français"), ("en", "English")]
    )
