from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from funding.models import FundingScheme

SCHEMES = [
    (
        "plan_formation",
        "Plan de formation de l'entreprise",
        "Company training plan",
        False,
        "0",
        False,
        "L'entreprise finance l'évaluation dans le cadre de son plan de formation.",
    ),
    ("dif", "DIF", "DIF (individual right to training)", False, "0", False, ""),
    (
        "dif_prioritaire",
        "DIF prioritaire",
        "Priority DIF",
        True,
        "300",
        False,
        "AUVICOM prend en charge un forfait de 300 € si l'évaluation est suivie en intégralité.",
    ),
    (
        "contrat_pro",
        "Contrat de professionnalisation",
        "Professionalisation contract",
        True,
        "300",
        False,
        "AUVICOM prend en charge un forfait de 300 € si l'évaluation est suivie en intégralité.",
    ),
    (
        "periode_pro",
        "Période de professionnalisation",
        "Professionalisation period",
        True,
        "300",
        False,
        "AUVICOM prend en charge un forfait de 300 € si l'évaluation est suivie en intégralité.",
    ),
    (
        "cif",
        "CIF (Fongecif)",
        "CIF (Fongecif)",
        False,
        "0",
        True,
        "Le CIF est instruit par le Fongecif : adressez-vous directement à lui. Le portail ne dépose pas de dossier CIF.",
    ),
]


class Command(BaseCommand):
    help = "Load the funding schemes: which AUVICOM covers, the flat fee, those handled elsewhere (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        for pos, (code, label, label_en, covered, fee, elsewhere, explanation) in enumerate(SCHEMES):
            FundingScheme.objects.update_or_create(
                code=code,
                defaults={
                    "label": label,
                    "label_en": label_en,
                    "covered_by_auvicom": covered,
                    "flat_fee": Decimal(fee),
                    "handled_elsewhere": elsewhere,
                    "explanation": explanation,
                    "position": pos,
                    "valid_from": date(2004, 5, 4),
                },
            )
        self.stdout.write(self.style.SUCCESS(f"Funding schemes loaded: {len(SCHEMES)}."))
