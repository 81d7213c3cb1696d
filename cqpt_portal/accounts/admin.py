from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .enums import Role
from .forms import StaffUserCreationForm
from .models import User
from .services import employer_verify


class PortalUserChangeForm(UserChangeForm):
    # Not a model field: ticking it calls services.employer_verify once the account is saved.
    verify_company = forms.BooleanField(
        label=_("Lien avec l'entreprise vérifié"),
        required=False,
        help_text=_("Cochez pour confirmer que cet employeur agit bien pour son entreprise ; il en est prévenu."),
    )

    class Meta:
        model = User
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.company_verified_at is not None:
            self.fields["verify_company"].initial = True
            self.fields["verify_company"].disabled = True

    def clean(self):
        cleaned = super().clean()
        ticked = self.instance.company_verified_at is None and cleaned.get("verify_company")
        if ticked and (cleaned.get("role") != Role.EMPLOYER or not cleaned.get("company")):
            self.add_error("verify_company", _("Seul un employeur rattaché à une entreprise peut être vérifié."))
        return cleaned


class EmployerVerificationFilter(admin.SimpleListFilter):
    title = _("vérification employeur")
    parameter_name = "employer_verification"

    def lookups(self, request, model_admin):
        return [("pending", _("À vérifier")), ("verified", _("Vérifié"))]

    def queryset(self, request, queryset):
        employers = queryset.filter(role=Role.EMPLOYER)
        if self.value() == "pending":
            return employers.filter(company_verified_at__isnull=True)
        if self.value() == "verified":
            return employers.filter(company_verified_at__isnull=False)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = StaffUserCreationForm
    ordering = ["email"]
    list_display = ["email", "last_name", "first_name", "role", "company", "company_verified_at", "is_active"]
    list_filter = [
        "role",
        EmployerVerificationFilter,
        "is_active",
        "is_staff",
        "is_superuser",
        "evaluator_organisation",
    ]
    list_select_related = ["company"]
    search_fields = ["email", "first_name", "last_name", "company__name", "company__siret"]
    autocomplete_fields = ["company", "evaluator_organisation"]
    readonly_fields = ["last_login", "date_joined", "email_confirmed_at", "company_verified_at"]
    actions = ["verify_employers"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name", "language"]}),
        (
            _("Rôle"),
            {"fields": ["role", "company", "company_verified_at", "verify_company", "evaluator_organisation"]},
        ),
        (
            _("Droits"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["email_confirmed_at", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "first_name",
                    "last_name",
                    "role",
                    "company",
                    "evaluator_organisation",
                    "usable_password",
                    "password1",
                    "password2",
                ],
                "description": _(
                    "Comptes du personnel (AUVICOM, évaluateurs, CPNE, administrateurs) ou employeur dont le lien "
                    "avec l'entreprise est déjà connu. Ces comptes devront activer la double authentification "
                    "à leur première connexion (sauf employeurs)."
                ),
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        """Save the account; an employer created here, or whose box is ticked, is verified by employer_verify."""
        super().save_model(request, obj, form, change)
        # A disabled box (already verified) never changes; employer_verify ignores anyone but an employer to verify.
        wanted = not change or "verify_company" in form.changed_data
        if wanted and employer_verify(user=obj, actor=request.user):
            obj.refresh_from_db(fields=["company_verified_at"])

    @admin.action(
        description=_("Vérifier le lien des employeurs sélectionnés avec leur entreprise"), permissions=["change"]
    )
    def verify_employers(self, request, queryset):
        verified = sum(employer_verify(user=user, actor=request.user) for user in queryset)
        skipped = queryset.count() - verified
        if verified:
            self.message_user(
                request,
                ngettext(
                    "%(count)d employeur vérifié et prévenu par e-mail.",
                    "%(count)d employeurs vérifiés et prévenus par e-mail.",
                    verified,
                )
                % {"count": verified},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d compte ignoré : ce n'est pas un employeur à vérifier (déjà vérifié ou sans entreprise).",
                    "%(count)d comptes ignorés : ce ne sont pas des employeurs à vérifier (déjà vérifiés ou sans entreprise).",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
