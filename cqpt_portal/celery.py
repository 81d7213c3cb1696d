import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cqpt_portal.settings")

app = Celery("cqpt_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def _keep_database_connections(**kwargs):
    """A worker keeps its database connections WORKER_CONN_MAX_AGE seconds (its pool's processes inherit it)."""
    from django.conf import settings

    for database in settings.DATABASES.values():
        database["CONN_MAX_AGE"] = settings.WORKER_CONN_MAX_AGE


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_database_connections(sender=None, **kwargs):
    """Around each task, what Django does around a request: close a connection past its age or broken.

    It also re-arms CONN_HEALTH_CHECKS, so that after a PostgreSQL restart the
    task's first query reconnects instead of failing. Celery's fixup no longer
    closes the connection each time (CELERY_DB_REUSE_MAX). Skipped in-process
    (eager), where the caller owns the connection and may be inside a transaction.
    """
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
