from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from candidates.demo import demo_candidate, demo_dossier_submit
from candidates.enums import DossierState
from candidates.models import Dossier

# Fictitious candidates whose submitted dossiers fill AUVICOM's demo queue.
DEMO_CANDIDATES = [
    ("lea.girard@demo.cqpt.fr", "Léa", "Girard", "ccad", "73282932000074", 2400),
    ("hugo.faure@demo.cqpt.fr", "Hugo", "Faure", "ccpd", "44306184100047", 1800),
    ("ines.mercier@demo.cqpt.fr", "Inès", "Mercier", "ccad", "55210055400013", 3100),
]


class Command(BaseCommand):
    help = "Create a few submitted demo dossiers through the real services and workflow (idempotent)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo_dossiers creates accounts with the public demo password: DEMO_MODE must be on (DEMO_MODE=true)."
            )
        for email, first, last, cqpt_code, siret, hours in DEMO_CANDIDATES:
            user = demo_candidate(email=email, first=first, last=last)
            if Dossier.objects.filter(candidate=user).exists():
                continue
            demo_dossier_submit(user=user, cqpt_code=cqpt_code, siret=siret, hours=hours)
        count = Dossier.objects.filter(state=DossierState.SUBMITTED).count()
        self.stdout.write(f"Demo dossiers: {count} submitted dossier(s) waiting in AUVICOM's queue.")
