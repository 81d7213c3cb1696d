from celery import shared_task


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def build_statement_pdf(self, statement_id: int):
    """Make (or remake) a payment statement's PDF with WeasyPrint; idempotent."""
    from .services import statement_pdf_build

    statement_pdf_build(statement_id=statement_id)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def build_attestation_pdf(self, fee_id: int):
    """Make the employer's attestation that the evaluation was followed in full; idempotent."""
    from .services import attestation_pdf_build

    attestation_pdf_build(fee_id=fee_id)
