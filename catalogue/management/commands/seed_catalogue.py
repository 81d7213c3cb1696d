from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from catalogue.models import Company, Competency, CompetencyBlock, Cqpt, EvaluatorOrganisation
from funding.models import FundingScheme

REFERENTIELS = {
    "ccad": (
        "Conseiller clientèle à distance",
        "Accueillir, conseiller et fidéliser les clients par téléphone et par les canaux numériques.",
        [
            (
                "CCAD-B1",
                "Prendre en charge la relation client à distance",
                [
                    ("CCAD-C1.1", "Accueillir le client et identifier sa demande"),
                    ("CCAD-C1.2", "Utiliser les outils du centre de relation client et le système d'information"),
                    ("CCAD-C1.3", "Adapter sa communication au canal (téléphone, chat, e-mail)"),
                ],
            ),
            (
                "CCAD-B2",
                "Conseiller et vendre les offres télécom",
                [
                    ("CCAD-C2.1", "Analyser les besoins et usages du client"),
                    ("CCAD-C2.2", "Proposer l'offre adaptée et argumenter"),
                    ("CCAD-C2.3", "Conclure la vente et en assurer le suivi administratif"),
                ],
            ),
            (
                "CCAD-B3",
                "Traiter les réclamations et fidéliser",
                [
                    ("CCAD-C3.1", "Diagnostiquer un dysfonctionnement de premier niveau"),
                    ("CCAD-C3.2", "Traiter une réclamation dans le respect des procédures"),
                    ("CCAD-C3.3", "Détecter les risques de résiliation et proposer une solution"),
                ],
            ),
        ],
    ),
    "ccpd": (
        "Conseiller clientèle en point de distribution",
        "Accueillir, conseiller et vendre en boutique, et assurer la gestion du point de vente.",
        [
            (
                "CCPD-B1",
                "Accueillir et conseiller en point de vente",
                [
                    ("CCPD-C1.1", "Accueillir le client et gérer le flux en boutique"),
                    ("CCPD-C1.2", "Découvrir les besoins et présenter les produits et services"),
                    ("CCPD-C1.3", "Démontrer les terminaux et accompagner la prise en main"),
                ],
            ),
            (
                "CCPD-B2",
                "Vendre et gérer l'après-vente",
                [
                    ("CCPD-C2.1", "Conclure la vente et réaliser les actes administratifs"),
                    ("CCPD-C2.2", "Prendre en charge le service après-vente et les réclamations"),
                ],
            ),
            (
                "CCPD-B3",
                "Contribuer à la gestion du point de vente",
                [
                    ("CCPD-C3.1", "Participer à la mise en valeur de l'espace de vente (merchandising)"),
                    ("CCPD-C3.2", "Suivre les stocks, les encaissements et les objectifs commerciaux"),
                ],
            ),
        ],
    ),
}

# Fictitious companies, with SIRETs that pass the Luhn check.
COMPANIES = [
    ("Télécom Horizon", "73282932000074", "2148", "Paris"),
    ("Réseaux Atlantique", "44306184100047", "2148", "Nantes"),
    ("Opérateur Rhône-Alpes", "55210055400013", "2148", "Lyon"),
    ("Boutiques Mobiles du Nord", "38012986600105", "2148", "Lille"),
    ("Centre d'Appels Express (hors Branche)", "40483304800022", "1486", "Marseille"),
]

ORGANISATIONS = [
    ("Institut de Certification Télécom", "Paris", ["ccad", "ccpd"]),
    ("Évaluations Pro Ouest", "Rennes", ["ccad"]),
]

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
    help = "Load the CQPT catalogue, branch companies, evaluator organisations and funding schemes (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        for code, (title, description, blocks) in REFERENTIELS.items():
            cqpt, _ = Cqpt.objects.update_or_create(code=code, defaults={"title": title, "description": description})
            for b_pos, (b_code, b_title, competencies) in enumerate(blocks):
                block, _ = CompetencyBlock.objects.update_or_create(
                    cqpt=cqpt, code=b_code, defaults={"title": b_title, "position": b_pos}
                )
                for c_pos, (c_code, c_title) in enumerate(competencies):
                    Competency.objects.update_or_create(
                        block=block, code=c_code, defaults={"title": c_title, "position": c_pos}
                    )
        for name, siret, idcc, city in COMPANIES:
            Company.objects.update_or_create(siret=siret, defaults={"name": name, "idcc": idcc, "city": city})
        for name, city, codes in ORGANISATIONS:
            org, _ = EvaluatorOrganisation.objects.update_or_create(name=name, defaults={"city": city})
            org.cqpts.set(Cqpt.objects.filter(code__in=codes))
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
        self.stdout.write(
            self.style.SUCCESS("Catalogue loaded: 2 CQPT, 5 companies, 2 evaluator organisations, 6 schemes.")
        )
