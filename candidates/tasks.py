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
