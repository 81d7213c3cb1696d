from django import forms
from django.apps import apps
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AdminUserCreationForm, AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .enums import EVALUATOR_ROLES, Role
from .models import User


def _validate_company_siret(siret: str) -> None:
    """Run the SIRET checks declared on catalogue's Company (looked up by label: accounts imports no domain app)."""
    siret_field = apps.get_model("catalogue", "Company")._meta.get_field("siret")
    try:
        siret_field.run_validators(siret)
    except ValidationError as error:
        # The format and checksum message comes first; the field's max-length message would only repeat it.
        raise ValidationError(error.error_list[:1]) from None


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "inactive": _(
            "Ce compte n'est pas encore activé : suivez le lien reçu par e-mail pour confirmer votre adresse."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login" and self._is_unconfirmed_with_right_password():
                # Only who knows the password learns that the account waits for its confirmation.
                raise ValidationError(self.error_messages["inactive"], code="inactive") from None
            raise

    def _is_unconfirmed_with_right_password(self) -> bool:
        if self.request is not None and getattr(self.request, "axes_locked_out", False):
            return False
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not email or not password:
            return False
        user = User.objects.filter(email__iexact=email, is_active=False, email_confirmed_at__isnull=True).first()
        return user is not None and user.check_password(password)


class RegistrationForm(forms.Form):
    """A candidate's or an employer's account: the role comes from the page, and only employers see company fields."""

    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
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
        help_text=_("14 chiffres."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    company_name = forms.CharField(
        label=_("Raison sociale"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    def __init__(self, *args, role: str = Role.CANDIDATE, **kwargs):
        super().__init__(*args, **kwargs)
        if role not in (Role.CANDIDATE, Role.EMPLOYER):
            raise ValueError(f"{role} accounts are not created by registration")
        self.role = role
        if role != Role.EMPLOYER:
            # A candidate does not act for a company: the fields are not rendered, nor read.
            del self.fields["company_siret"], self.fields["company_name"]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_company_siret(self):
        return "".join(self.cleaned_data.get("company_siret", "").split())

    def clean_company_name(self):
        return self.cleaned_data.get("company_name", "").strip()

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
        if self.role == Role.EMPLOYER:
            siret = cleaned.get("company_siret", "")
            if not siret:
                self.add_error("company_siret", _("Indiquez le SIRET de votre entreprise."))
            else:
                try:
                    _validate_company_siret(siret)
                except ValidationError as error:
                    self.add_error("company_siret", error)
            if not cleaned.get("company_name"):
                self.add_error("company_name", _("Indiquez la raison sociale de votre entreprise."))
        cleaned["role"] = self.role
        cleaned.setdefault("company_siret", "")
        cleaned.setdefault("company_name", "")
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


class StaffUserCreationForm(AdminUserCreationForm):
    """The administrator's form for accounts nobody creates themselves (AUVICOM, evaluators, CPNE, admins)."""

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "role", "company", "evaluator_organisation")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("Un compte existe déjà avec cette adresse."), code="duplicate_email")
        return email

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role == Role.EMPLOYER and not cleaned.get("company"):
            self.add_error("company", _("Un employeur agit pour une entreprise : choisissez-la."))
        if role in EVALUATOR_ROLES and not cleaned.get("evaluator_organisation"):
            self.add_error(
                "evaluator_organisation", _("Un évaluateur appartient à un organisme évaluateur : choisissez-le.")
            )
        if role != Role.EMPLOYER:
            cleaned["company"] = None
        if role not in EVALUATOR_ROLES:
            cleaned["evaluator_organisation"] = None
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        # An employer created here is verified by the admin through services.employer_verify (audit, notification).
        if user.role == Role.ADMIN:
            # Same as the demo administrator: full rights in the Django admin (which asks for TOTP).
            user.is_staff = user.is_superuser = True
        if commit:
            user.save()
            self.save_m2m()
        return user
