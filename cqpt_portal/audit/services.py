from django.contrib.contenttypes.models import ContentType

from .models import AuditEvent


def audit_record(
    *,
    actor,
    target,
    action: str,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    extra: dict | None = None,
) -> AuditEvent:
    """Append one row to the audit trail, in the caller's transaction. Side effect: one INSERT."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_role=(actor.role if is_user else "system"),
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_id=str(target.pk),
        action=action,
        from_state=from_state or "",
        to_state=to_state or "",
        comment=comment or "",
        extra=extra or {},
    )
