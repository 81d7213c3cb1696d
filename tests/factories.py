"""Factories shared by every test module (factory-boy)."""

import datetime

import factory
from django.utils import timezone

from candidates.enums import AccessRoute, ContractType, DossierState, Initiative, WorkingTime
from candidates.models import Dossier, ExperiencePeriod
from catalogue.models import Company, Cqpt, EvaluatorOrganisation
from cqpt_portal.accounts.enums import Role
from cqpt_portal.accounts.models import User
from funding.models import FundingScheme

PASSWORD = "correct-horse-battery-staple-42"

# SIRETs that pass the Luhn check.
VALID_SIRETS = ["73282932000074", "44306184100047", "55210055400013", "38012986600105", "40483304800022"]


def luhn_siret(n: int) -> str:
    """The n-th valid SIRET of a deterministic series (for many companies)."""
    from catalogue.validators import luhn_is_valid

    base = f"{900000000 + n:09d}{n % 100000:05d}"[:13]
    for digit in range(10):
        if luhn_is_valid(base + str(digit)):
            return base + str(digit)
    raise AssertionError("unreachable")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = Role.CANDIDATE
    is_active = True
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("siret",)

    name = factory.Sequence(lambda n: f"Entreprise {n}")
    siret = factory.Sequence(lambda n: luhn_siret(n))
    idcc = "2148"


class EmployerFactory(UserFactory):
    role = Role.EMPLOYER
    company = factory.SubFactory(CompanyFactory)
    company_verified_at = factory.LazyFunction(timezone.now)


class CqptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cqpt
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"cqpt{n}")
    title = factory.Sequence(lambda n: f"CQPT n°{n}")


class EvaluatorOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluatorOrganisation

    name = factory.Sequence(lambda n: f"Organisme {n}")


class FundingSchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingScheme
        django_get_or_create = ("code",)

    code = "plan_formation"
    label = "Plan de formation de l'entreprise"


class DossierFactory(factory.django.DjangoModelFactory):
    """A draft with every step filled for an accès-libre candidacy (documents apart)."""

    class Meta:
        model = Dossier

    candidate = factory.SubFactory(UserFactory)
    state = DossierState.DRAFT
    last_name = factory.LazyAttribute(lambda o: o.candidate.last_name)
    first_name = factory.LazyAttribute(lambda o: o.candidate.first_name)
    birth_date = datetime.date(1990, 5, 17)
    phone = "0612345678"
    address = "1 rue de la Paix"
    postal_code = "75002"
    city = "Paris"
    company = factory.SubFactory(CompanyFactory)
    job_title = "Conseiller clientèle"
    contract_type = ContractType.CDI
    contract_start = datetime.date(2020, 1, 6)
    access_route = AccessRoute.ACCES_LIBRE
    cqpt = factory.SubFactory(CqptFactory)
    funding_scheme = factory.SubFactory(FundingSchemeFactory)
    working_time = WorkingTime.DURING
    initiative = Initiative.EMPLOYEE


class ExperiencePeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExperiencePeriod

    dossier = factory.SubFactory(DossierFactory)
    employer_name = factory.LazyAttribute(lambda o: o.dossier.company.name if o.dossier.company else "Employeur")
    siret = factory.LazyAttribute(lambda o: o.dossier.company.siret if o.dossier.company else VALID_SIRETS[0])
    idcc = "2148"
    company = factory.LazyAttribute(lambda o: o.dossier.company)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=730))
    end_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    hours = 3000
    related_to_cqpt = True
