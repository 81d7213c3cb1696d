from django.utils.translation import gettext as _

from cqpt_portal.accounts.enums import Role

from .labels import action_label, state_label
from .models import AuditEvent


def audit_events_for(obj) -> list[AuditEvent]:
    """The trail of one object, oldest first, with the actors in the same query and readable labels.

    Each event gets `action_label`, `from_state_label`, `to_state_label` and
    `actor_role_label` in the current language (the codes stay in the row).
    """
    model_label = obj._meta.label_lower
    roles = dict(Role.choices)
    events = list(AuditEvent.objects.for_object(obj).select_related("actor"))
    for event in events:
        event.action_label = action_label(model_label, event.action)
        event.from_state_label = state_label(model_label, event.from_state)
        event.to_state_label = state_label(model_label, event.to_state)
        role = event.actor_role
        event.actor_role_label = str(roles[role]) if role in roles else (_("Système") if role == "system" else role)
    return events
