from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cqpt_portal.accounts"
    label = "accounts"
    verbose_name = _("Comptes et rôles")

    def ready(self):
        from cqpt_portal.audit.labels import register_action_labels, register_state_labels
        from cqpt_portal.notifications.services import register_live_link

        from .services import live_link_email_confirmation, live_link_password_reset

        register_live_link("password_reset", live_link_password_reset)
        register_live_link("email_confirmation", live_link_email_confirmation)

        register_action_labels(
            "accounts.user",
            {"email_confirmed": _("Adresse e-mail confirmée"), "employer_verified": _("Employeur vérifié")},
        )
        register_action_labels("*", {"access_refused": _("Accès refusé")})
        register_state_labels("accounts.user", {"inactive": _("Inactif"), "active": _("Actif")})
