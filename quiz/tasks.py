from celery import shared_task


@shared_task
def close_expired_attempts():
    """Periodic (beat): close and score the attempts whose time and grace period are over."""
    from .services import attempts_close_expired

    return attempts_close_expired()
