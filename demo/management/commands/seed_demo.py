from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cpne.demo import cpne_demo_seed
from demo.services import demo_accounts_seed
from evaluation.demo import demo_evaluations_seed
from funding.demo import demo_funding_seed
from quiz.demo import quiz_demo_seed


class Command(BaseCommand):
    help = (
        "Demo mode only: load the catalogue and the funding schemes, create one demo account per role and a few "
        "submitted dossiers and evaluations at each step (idempotent); print the demo e-mails and password."
    )

    def handle(self, *args, **options):
        # The accounts get the public password and TOTP key of the README: never outside demo mode.
        if not settings.DEMO_MODE:
            raise CommandError(
                "seed_demo creates accounts with the public demo password: DEMO_MODE must be on (DEMO_MODE=true)."
            )
        with transaction.atomic():
            call_command("seed_catalogue", verbosity=0)
            call_command("seed_funding_schemes", verbosity=0)
            lines = demo_accounts_seed()
            call_command("seed_demo_dossiers")
            lines[-1:-1] = demo_evaluations_seed()  # the second-factor hint stays last
            demo_funding_seed()  # funding: fees in each state and one paid statement
            quiz_demo_seed()  # quiz: a bank per CQPT, an open prédiagnostic for the demo candidate
            cpne_demo_seed()  # CPNE (issue 9): a past meeting with its decisions and certificate, the next one
        # Printed last, after the demo e-mails that the commit sends to the console.
        for line in lines:
            self.stdout.write(line)
