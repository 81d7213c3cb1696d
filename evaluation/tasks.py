from celery import shared_task


@shared_task
def remind_unanswered_assignments():
    """Periodic (beat): remind organisations of assignments left unanswered past the delay."""
    from .services.assignment import assignments_remind

    return assignments_remind()
