from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import AUVICOM_ROLES, CPNE_ROLES, EVALUATOR_ROLES, SECOND_FACTOR_ROLES, Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """A person who logs in: one role, and the organisation that role acts for."""

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    role = models.CharField(_("rôle"), max_length=32, choices=Role.choices, default=Role.CANDIDATE, db_index=True)
    language = models.CharField(
        _("langue"), max_length=8, default="fr", choices=[("fr", "Français"), ("en", "English")]
    )
    company = models.ForeignKey(
        "catalogue.Company",
        verbose_name=_("entreprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employer_users",
        help_text=_("Pour un employeur : l'entreprise pour laquelle il agit."),
    )
    evaluator_organisation = models.ForeignKey(
        "catalogue.EvaluatorOrganisation",
        verbose_name=_("organisme évaluateur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    email_confirmed_at = models.DateTimeField(_("e-mail confirmé le"), null=True, blank=True)
    company_verified_at = models.DateTimeField(
        _("lien avec l'entreprise vérifié le"),
        null=True,
        blank=True,
        help_text=_(
            "Pour un employeur : date à laquelle AUVICOM ou un administrateur a vérifié qu'il agit bien pour "
            "cette entreprise. Sans cette vérification, il ne voit aucun dossier."
        ),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def needs_second_factor(self) -> bool:
        return self.is_superuser or self.is_staff or self.role in SECOND_FACTOR_ROLES

    @property
    def is_candidate(self) -> bool:
        return self.role == Role.CANDIDATE

    @property
    def is_employer(self) -> bool:
        return self.role == Role.EMPLOYER

    @property
    def is_verified_employer(self) -> bool:
        """An employer may act for its company only once an administrator has verified the link."""
        return self.role == Role.EMPLOYER and self.company_id is not None and self.company_verified_at is not None

    @property
    def is_auvicom(self) -> bool:
        return self.role in AUVICOM_ROLES

    @property
    def is_evaluator(self) -> bool:
        return self.role in EVALUATOR_ROLES

    @property
    def is_cpne(self) -> bool:
        return self.role in CPNE_ROLES

    @property
    def is_administrator(self) -> bool:
        """The portal's administrator role (is_superuser only opens the Django admin)."""
        return self.role == Role.ADMIN

    def has_perm(self, perm, obj=None):
        """The portal's own permissions (django-rules) answer by role for everyone, superusers included.

        Django lets an active superuser through every permission; that is kept for the Django admin's model
        permissions only, so that a superuser cannot act as a candidate or an employer in the portal.
        """
        import rules

        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)
