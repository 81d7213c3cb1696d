from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

from cqpt_portal.accounts.enums import Role

from .labels import action_label, state_label
from .models import AuditEvent

# How many of an object's latest events a page shows before linking to the full, paginated trail.
TRAIL_FOLD = 20
TRAIL_PAGE_SIZE = 50


def _labelled(obj, events: list[AuditEvent]) -> list[AuditEvent]:
    """Give each event `action_label`, `from_state_label`, `to_state_label` and `actor_role_label`."""
    model_label = obj._meta.label_lower
    roles = dict(Role.choices)
    for event in events:
        event.action_label = action_label(model_label, event.action)
        event.from_state_label = state_label(model_label, event.from_state)
        event.to_state_label = state_label(model_label, event.to_state)
        role = event.actor_role
        event.actor_role_label = str(roles[role]) if role in roles else (_("Système") if role == "system" else role)
    return events


def audit_events_for(obj) -> list[AuditEvent]:
    """The whole trail of one object, oldest first, with the actors in the same query and readable labels.

    Each event gets `action_label`, `from_state_label`, `to_state_label` and
    `actor_role_label` in the current language (the codes stay in the row).
    A page that can grow long shows `audit_trail_fold` instead.
    """
    return _labelled(obj, list(AuditEvent.objects.for_object(obj).select_related("actor")))


def audit_trail_fold(obj, *, limit: int = TRAIL_FOLD) -> dict:
    """The object's latest `limit` events, oldest first, and how many there are in all.

    Returns {"audit_events": [...], "audit_total": n}: one query, and one COUNT only when
    there are more than `limit` (the page then links to the full trail).
    """
    latest = list(
        AuditEvent.objects.for_object(obj).select_related("actor").order_by("-created_at", "-id")[: limit + 1]
    )
    total = len(latest)
    if total > limit:
        total = AuditEvent.objects.for_object(obj).count()
        latest = latest[:limit]
    return {"audit_events": _labelled(obj, latest[::-1]), "audit_total": total}


def audit_trail_page(obj, number, *, per_page: int = TRAIL_PAGE_SIZE) -> Page:
    """One page of the object's whole trail, oldest first (a COUNT and the page's rows)."""
    events = AuditEvent.objects.for_object(obj).select_related("actor").order_by("created_at", "id")
    page = Paginator(events, per_page).get_page(number)
    page.object_list = _labelled(obj, list(page.object_list))
    return page
