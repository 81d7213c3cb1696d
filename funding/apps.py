from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("Financement")

    def ready(self):
        from candidates.workflow import DOSSIER_WORKFLOW
        from cqpt_portal.audit.labels import register_action_labels
        from personal_data.registry import Provider, register

        from . import personal_data as pd
        from .services import fee_follow_dossier_end

        register(Provider("funding", export=pd.export, erase=pd.erase, retention=pd.retention, order=25))

        # The dossier ends before the evaluation was followed in full: its fee is not due.
        # (candidates must not import funding, so funding follows the dossier's table.)
        for name in ("withdraw", "abandon_evaluation"):
            DOSSIER_WORKFLOW.follow(name, fee_follow_dossier_end(name))
        register_action_labels("candidates.dossier", {"funding_scheme_changed": _("Dispositif de financement corrigé")})
