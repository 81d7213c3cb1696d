from smtplib import SMTPException

from celery import shared_task


@shared_task(
    bind=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=3600,
    max_retries=5,
    acks_late=True,
)
def send_invitation_email(self, invitation_id: int, send_key: str = "initial"):
    """E-mail an employer's proposal to an invitee without an account; idempotent per send_key."""
    from .services.employer import invitation_email_send

    return invitation_email_send(invitation_id=invitation_id, send_key=send_key)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def build_admissibility_export(self, export_id: int):
    """Write an AUVICOM CSV export too long to stream; idempotent (a built export is skipped).

    A storage or database failure is retried with exponential backoff (30 s, 1, 2, 4, 8 min), then the
    export is marked failed; any other error marks it failed at once.
    """
    from django.db import DatabaseError

    from .services.admissibility_export import export_build, export_give_up

    try:
        return export_build(export_id=export_id)
    except (OSError, DatabaseError) as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            export_give_up(export_id=export_id)
            raise
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
    except Exception:
        export_give_up(export_id=export_id)
        raise


@shared_task
def sweep_admissibility_exports():
    """Beat: delete expired CSV exports, queue again those a broker outage left pending, give up on old ones."""
    from .services.admissibility_export import exports_sweep

    return exports_sweep()
