from django.core.management.base import BaseCommand
from django.db import transaction

from catalogue.models import Company, Competency, CompetencyBlock, Cqpt, EvaluatorOrganisation

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


class Command(BaseCommand):
    help = "Load the CQPT catalogue, branch companies and evaluator organisations (idempotent)."

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
        self.stdout.write(self.style.SUCCESS("Catalogue loaded: 2 CQPT, 5 companies, 2 evaluator organisations."))
