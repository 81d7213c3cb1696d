"""Filters of AUVICOM's review queue (django-filter), on top of selectors.admissibility_queue_base."""

import re
from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import Upper
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import Cqpt

from .enums import QUEUE_STATES, AccessRoute, DossierState
from .models import Dossier
from .selectors import admissibility_reviewers

STATE_QUEUE = "queue"
STATE_ALL = "all"
STATE_CHOICES = [
    (STATE_QUEUE, _("À examiner (déposés et en cours d'examen)")),
    (STATE_ALL, _("Tous les états")),
    *[(s.value, s.label) for s in DossierState if s != DossierState.DRAFT],
]

REVIEWER_MINE = "mine"
REVIEWER_UNCLAIMED = "unclaimed"

# Every ordering ends with the primary key so that pages never overlap.
SORTS = {
    "age": (_("Les plus anciens d'abord"), ["submitted_at", "pk"]),
    "-age": (_("Les plus récents d'abord"), ["-submitted_at", "-pk"]),
    "number": (_("Numéro croissant"), ["number"]),
    "-number": (_("Numéro décroissant"), ["-number"]),
    "name": (_("Nom (A → Z)"), [Upper("last_name"), Upper("first_name"), "pk"]),
    "-name": (_("Nom (Z → A)"), [Upper("last_name").desc(), Upper("first_name").desc(), "-pk"]),
}
DEFAULT_SORT = "age"

_NUMBER_RE = re.compile(r"^(CQPT-?)?\d[\d-]*$")
_DIGITS_RE = re.compile(r"^\d+$")


def _start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class AdmissibilityQueueFilter(django_filters.FilterSet):
    """The queue's filters; state and sort always apply (queue states, oldest first by default)."""

    q = django_filters.CharFilter(
        label=_("Rechercher"),
        method="filter_search",
        help_text=_("Numéro de dossier (complet ou début) ou nom / prénom du candidat."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    state = django_filters.ChoiceFilter(
        label=_("État"), choices=STATE_CHOICES, empty_label=None, method="filter_applied_later"
    )
    cqpt = django_filters.ModelChoiceFilter(
        label=_("CQPT"), queryset=Cqpt.objects.order_by("title"), empty_label=_("Tous les CQPT")
    )
    access_route = django_filters.ChoiceFilter(
        label=_("Voie d'accès"), choices=AccessRoute.choices, empty_label=_("Toutes les voies")
    )
    company = django_filters.CharFilter(
        label=_("Entreprise"),
        method="filter_company",
        help_text=_("Raison sociale, SIREN ou SIRET."),
    )
    reviewer = django_filters.ChoiceFilter(
        label=_("Instructeur"), choices=[], empty_label=_("Tous"), method="filter_reviewer"
    )
    submitted_from = django_filters.DateFilter(
        label=_("Déposé à partir du"),
        method="filter_submitted_from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    submitted_to = django_filters.DateFilter(
        label=_("Déposé jusqu'au"),
        method="filter_submitted_to",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("Trier par"),
        choices=[(key, label) for key, (label, _fields) in SORTS.items()],
        empty_label=None,
        method="filter_applied_later",
    )

    class Meta:
        model = Dossier
        fields: list[str] = []

    def __init__(self, data=None, *args, request=None, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        super().__init__(data, *args, request=request, **kwargs)
        reviewers = [(str(u.pk), u.get_full_name() or u.email) for u in admissibility_reviewers()]
        self.filters["reviewer"].extra["choices"] = [
            (REVIEWER_MINE, _("Moi")),
            (REVIEWER_UNCLAIMED, _("Personne (non pris en charge)")),
            *reviewers,
        ]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        cleaned = self.form.cleaned_data
        # An empty or invalid value falls back to the default (never to "everything").
        state = cleaned.get("state") or STATE_QUEUE
        if state == STATE_QUEUE:
            queryset = queryset.filter(state__in=sorted(QUEUE_STATES))
        elif state != STATE_ALL:
            queryset = queryset.filter(state=state)
        return queryset.order_by(*SORTS[cleaned.get("sort") or DEFAULT_SORT][1])

    @property
    def current_sort(self) -> str:
        return (self.form.cleaned_data.get("sort") if self.form.is_valid() else None) or DEFAULT_SORT

    def filter_applied_later(self, queryset, name, value):
        return queryset  # state and sort are applied in filter_queryset, defaults included

    def filter_search(self, queryset, name, value):
        term = " ".join(value.split())
        if not term:
            return queryset
        compact = term.upper().replace(" ", "")
        if _NUMBER_RE.match(compact):
            prefix = compact if compact.startswith("CQPT") else f"CQPT-{compact}"
            if prefix.startswith("CQPT") and not prefix.startswith("CQPT-"):
                prefix = "CQPT-" + prefix[4:]
            return queryset.filter(number__startswith=prefix)
        for word in term.split(" "):
            queryset = queryset.filter(Q(last_name__istartswith=word) | Q(first_name__istartswith=word))
        return queryset

    def filter_company(self, queryset, name, value):
        term = value.strip().replace(" ", "")
        if not term:
            return queryset
        if _DIGITS_RE.match(term):
            return queryset.filter(company__siret__startswith=term)
        return queryset.filter(company__name__icontains=value.strip())

    def filter_reviewer(self, queryset, name, value):
        if value == REVIEWER_MINE:
            user = self.request.user if self.request is not None else None
            return queryset.filter(reviewer=user) if user is not None and user.is_authenticated else queryset.none()
        if value == REVIEWER_UNCLAIMED:
            return queryset.filter(reviewer__isnull=True)
        return queryset.filter(reviewer_id=int(value))

    def filter_submitted_from(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=_start_of_day(value))

    def filter_submitted_to(self, queryset, name, value):
        return queryset.filter(submitted_at__lt=_start_of_day(value + timedelta(days=1)))
