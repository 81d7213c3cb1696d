"""What each app holds about a person, declared by the app: how to export it, erase it and apply its retention.

An app registers one `Provider` (see providers/ for the ones of accounts, candidates, evaluation,
notifications and audit). personal_data's services walk the registry, in `order`:

- `export(user) -> Export`: the person's rows (JSON-ready dicts) and original files;
- `erase(user, context) -> Erasure`: delete or pseudonymise what is no longer needed, list what must stay;
- `retention(context) -> dict[str, int]`: apply the periods of settings.PERSONAL_DATA_RETENTION,
  returning what was (or, in a dry run, would be) removed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.db.models.fields.files import FieldFile


@dataclass
class Export:
    rows: dict[str, list[dict]] = field(default_factory=dict)
    files: list[tuple[str, FieldFile]] = field(default_factory=list)  # (name in the archive, file)


@dataclass(frozen=True)
class Kept:
    """Something that stays after an erasure request: what, why, and until when."""

    what: str
    reason: str
    until: datetime.date | None

    def as_dict(self) -> dict:
        return {"what": str(self.what), "reason": str(self.reason), "until": self.until}


@dataclass
class Erasure:
    deleted: dict[str, int] = field(default_factory=dict)
    kept: list[Kept] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # private-storage names to delete after commit


@dataclass(frozen=True)
class ErasureContext:
    now: datetime.datetime
    actor: object  # the person, or None (an administrator acting for them would be the actor)


@dataclass(frozen=True)
class RetentionContext:
    now: datetime.datetime
    dry_run: bool
    periods: dict[str, int]
    files: list[str] = field(default_factory=list)  # filled by the providers, deleted after commit

    def months_ago(self, key: str) -> datetime.datetime:
        return months_before(self.now, self.periods[key])

    def days_ago(self, key: str) -> datetime.datetime:
        return self.now - datetime.timedelta(days=self.periods[key])


def months_before(moment, months: int):
    """The same day `months` months earlier (the last day of the month when it is shorter)."""
    import calendar

    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def months_after(moment, months: int):
    return months_before(moment, -months)


@dataclass(frozen=True)
class Provider:
    name: str
    export: Callable[[models.Model], Export]
    erase: Callable[[models.Model, ErasureContext], Erasure] | None = None
    retention: Callable[[RetentionContext], dict[str, int]] | None = None
    order: int = 100  # erasure and retention run in this order (the account itself last)


_PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> None:
    """Declare what an app holds about a person (call it from the app's AppConfig.ready)."""
    _PROVIDERS[provider.name] = provider


def providers() -> list[Provider]:
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.name))


def row(instance: models.Model, fields: list[str] | None = None, exclude: tuple[str, ...] = ()) -> dict:
    """A model instance as a JSON-ready dict of its own columns (foreign keys as ids, files as their archive name)."""
    data = {}
    for model_field in instance._meta.concrete_fields:
        if (fields is not None and model_field.name not in fields) or model_field.name in exclude:
            continue
        value = model_field.value_from_object(instance)
        if isinstance(model_field, models.FileField):
            value = value.name if value else ""
        key = model_field.attname if model_field.is_relation else model_field.name
        data[key] = value
    return data
