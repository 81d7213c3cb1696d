"""The audit trail: rows about the person are exported; they stay (append-only) until their period ends."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.models import Dossier
from cqpt_portal.audit.models import AuditEvent
from cqpt_portal.audit.services import audit_purge_before
from evaluation.models import Evaluation

from ..registry import Erasure, ErasureContext, Export, Kept, RetentionContext, months_after, row


def about(user):
    """The rows the person made, or that concern their account, dossiers or evaluations."""
    targets = Q(actor=user)
    for model, ids in (
        (get_user_model(), [user.pk]),
        (Dossier, Dossier.objects.filter(candidate=user).values_list("pk", flat=True)),
        (Evaluation, Evaluation.objects.filter(dossier__candidate=user).values_list("pk", flat=True)),
    ):
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        targets |= Q(content_type=content_type, object_id__in=[str(pk) for pk in ids])
    return AuditEvent.objects.filter(targets)


def export(user) -> Export:
    fields = ["id", "created_at", "actor_role", "action", "from_state", "to_state", "comment", "object_id"]
    rows = [
        {**row(e, fields), "object_type": e.content_type.model, "by_you": e.actor_id == user.pk}
        for e in about(user).select_related("content_type")
    ]
    return Export(rows={"audit_trail": rows})


def erase(user, context: ErasureContext) -> Erasure:
    last = about(user).aggregate(last=Max("created_at"))["last"]
    if last is None:
        return Erasure()
    months = settings.PERSONAL_DATA_RETENTION["audit_months"]
    return Erasure(
        kept=[
            Kept(
                _("Journal d'audit : qui a fait quoi et quand sur votre compte et vos dossiers"),
                _(
                    "Il prouve la régularité des décisions et des traitements (RGPD, art. 5-2) ; il ne peut être modifié."
                ),
                months_after(timezone.localdate(last), months),
            )
        ]
    )


def retention(context: RetentionContext) -> dict[str, int]:
    return {"audit_rows": audit_purge_before(cutoff=context.months_ago("audit_months"), dry_run=context.dry_run)}
