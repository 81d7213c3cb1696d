"""Password validators: a length cap and a strength estimate (zxcvbn) that refuses repeats and keyboard rows.

The reason given is zxcvbn's own, translated here (its messages are English only).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

MAX_LENGTH = 128

# zxcvbn's warnings -> what the portal says.
_WARNINGS = {
    "Straight rows of keys are easy to guess.": _("Une rangée de touches du clavier (azerty, 123456…) se devine vite."),
    "Short keyboard patterns are easy to guess.": _("Un court motif de clavier se devine vite."),
    'Repeats like "aaa" are easy to guess.': _("Un caractère répété (« aaa ») se devine vite."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _(
        "Un motif répété (« abcabcabc ») n'est guère plus sûr que le motif seul."
    ),
    'Sequences like "abc" or "6543" are easy to guess.': _("Une suite (« abc », « 6543 ») se devine vite."),
    "Recent years are easy to guess.": _("Une année récente se devine vite."),
    "Dates are often easy to guess.": _("Une date se devine vite."),
    "This is a top-10 common password.": _("C'est l'un des mots de passe les plus utilisés."),
    "This is a top-100 common password.": _("C'est l'un des mots de passe les plus utilisés."),
    "This is a very common password.": _("C'est un mot de passe très courant."),
    "This is similar to a commonly used password.": _("Il ressemble à un mot de passe très courant."),
    "A word by itself is easy to guess.": _("Un mot seul se devine vite."),
    "Names and surnames by themselves are easy to guess.": _("Un nom ou un prénom seul se devine vite."),
    "Common names and surnames are easy to guess.": _("Les noms et prénoms courants se devinent vite."),
}
_DEFAULT_REASON = _("Ajoutez un ou deux mots peu courants, sans suite ni répétition.")
LEVELS = [_("très faible"), _("faible"), _("moyen"), _("solide"), _("très solide")]


def password_strength(password: str, user=None) -> dict:
    """zxcvbn's score (0-4) with its label and, below the minimum, the reason in the current language."""
    from zxcvbn import zxcvbn

    user_inputs = [getattr(user, name, "") or "" for name in ("email", "first_name", "last_name")] if user else []
    result = zxcvbn(password[:MAX_LENGTH], user_inputs=[value for value in user_inputs if value], max_length=MAX_LENGTH)
    warning = result["feedback"]["warning"]
    return {
        "score": result["score"],
        "label": str(LEVELS[result["score"]]),
        "reason": str(_WARNINGS.get(warning, _DEFAULT_REASON)),
    }


class MaximumLengthValidator:
    """Refuse passwords longer than MAX_LENGTH characters (hashing a 4,000-character one is wasted work)."""

    def __init__(self, max_length: int = MAX_LENGTH):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "Le mot de passe ne doit pas dépasser %(max)d caractère.",
                    "Le mot de passe ne doit pas dépasser %(max)d caractères.",
                    self.max_length,
                )
                % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self):
        return _("Au plus %(max)d caractères.") % {"max": self.max_length}


class StrengthValidator:
    """Refuse a password that zxcvbn scores below `min_score` (0-4), saying why."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password, user=None):
        strength = password_strength(password, user)
        if strength["score"] < self.min_score:
            raise ValidationError(
                _("Ce mot de passe est trop facile à deviner : %(reason)s") % {"reason": strength["reason"]},
                code="password_too_weak",
            )

    def get_help_text(self):
        return _("Évitez les répétitions, les suites et les rangées du clavier.")
