from .models import AuditEvent


def audit_events_for(obj):
    """The trail of one object, oldest first, with the actors in the same query."""
    return AuditEvent.objects.for_object(obj).select_related("actor")
