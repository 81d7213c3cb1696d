from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BRANCH_IDCC = "2148"


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalize_siret(value: str) -> str:
    return "".join((value or "").split())


def validate_siret(value: str) -> None:
    """Refuse a SIRET that is not 14 digits or fails its Luhn checksum."""
    siret = normalize_siret(value)
    if not siret.isdigit() or len(siret) != 14:
        raise ValidationError(_("Un SIRET compte exactement 14 chiffres."), code="siret_format")
    # La Poste's establishments use a sum-of-digits rule instead of Luhn.
    if siret.startswith("356000000"):
        if sum(int(c) for c in siret) % 5 != 0:
            raise ValidationError(
                _("Ce SIRET est invalide : sa clé de contrôle ne correspond pas."), code="siret_checksum"
            )
        return
    if not luhn_is_valid(siret):
        raise ValidationError(
            _(
                "Ce SIRET est invalide : sa clé de contrôle (algorithme de Luhn) ne correspond pas. Vérifiez les chiffres."
            ),
            code="siret_checksum",
        )


def validate_idcc(value: str) -> None:
    if not (value or "").isdigit() or len(value) > 4:
        raise ValidationError(_("Un IDCC compte au plus 4 chiffres."), code="idcc_format")
