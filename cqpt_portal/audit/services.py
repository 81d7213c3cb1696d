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


def audit_purge_before(*, cutoff, dry_run: bool = False) -> int:
    """Delete the rows older than the retention period: the one deletion the trail allows.

    Side effect: one DELETE (none in a dry run). On PostgreSQL the append-only
    trigger lets it through only inside this transaction (SET LOCAL), and only
    for the table's owner: the runtime role (manage.py audit_runtime_role) has
    no DELETE privilege, so under it nothing is deleted, an ERROR is logged, and
    the owner runs `manage.py apply_retention` (docs/deploy.md) to purge.
    """
    import logging

    from django.db import DatabaseError, connection, models, transaction

    queryset = AuditEvent.objects.filter(created_at__lt=cutoff)
    count = queryset.count()
    if dry_run or not count:
        return count
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL cqpt.audit_retention_purge = 'on'")
            # The queryset's own delete() refuses (append-only); the plain one is the retention's door.
            models.QuerySet.delete(queryset)
    except DatabaseError as error:  # the runtime role may not delete: the owner's run purges
        logging.getLogger(__name__).error("Audit rows past their retention not purged (%s): run as the owner", error)
        return 0
    return count
