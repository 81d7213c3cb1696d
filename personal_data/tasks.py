from celery import shared_task


@shared_task(acks_late=True)
def build_archive(archive_id: int):
    """Build one person's archive (idempotent: a built archive is skipped)."""
    from .services import archive_build

    return archive_build(archive_id=archive_id)


@shared_task
def apply_retention(dry_run: bool = False):
    """Nightly (beat): apply the retention periods; returns the report of what was removed."""
    from .services import retention_apply

    return retention_apply(dry_run=dry_run, trigger="beat").report
