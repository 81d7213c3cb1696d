"""personal_data's own rows: archives, erasure and name-change requests."""

from ..models import DataArchive, ErasureRequest, NameChangeRequest
from ..registry import Erasure, ErasureContext, Export, RetentionContext, row


def export(user) -> Export:
    return Export(
        rows={
            "data_archives": [row(a, exclude=("file",)) for a in DataArchive.objects.filter(user=user)],
            "erasure_requests": [
                row(e, exclude=("acknowledged_by",)) for e in ErasureRequest.objects.filter(user=user)
            ],
            "name_change_requests": [
                row(n, exclude=("decided_by",)) for n in NameChangeRequest.objects.filter(user=user)
            ],
        }
    )


def erase(user, context: ErasureContext) -> Erasure:
    """The person's archives (a full copy of their data) and their name-change requests go."""
    archives = DataArchive.objects.filter(user=user)
    files = [name for name in archives.values_list("file", flat=True) if name]
    return Erasure(
        deleted={
            "data_archives": archives.delete()[0],
            "name_change_requests": NameChangeRequest.objects.filter(user=user).delete()[0],
        },
        files=files,
    )


def retention(context: RetentionContext) -> dict[str, int]:
    archives = DataArchive.objects.filter(requested_at__lt=context.days_ago("archives_days"))
    report = {"data_archives": archives.count()}
    if not context.dry_run:
        context.files.extend(name for name in archives.values_list("file", flat=True) if name)
        archives.delete()
    return report
