from django.conf import settings

from candidates.models import Dossier

from .enums import RequestState
from .models import DataArchive, ErasureRequest, NameChangeRequest
from .providers.candidates import never_submitted


def archives_of(user) -> list[DataArchive]:
    """The person's last archives, each with its signed download link."""
    from .services import archive_link

    archives = list(DataArchive.objects.filter(user=user)[:5])
    for archive in archives:
        archive.download_link = archive_link(archive)
    return archives


def erasure_requests():
    return ErasureRequest.objects.select_related("acknowledged_by")[:200]


def pending_name_changes():
    return NameChangeRequest.objects.filter(state=RequestState.PENDING).select_related("user")


def erasure_preview(user) -> dict:
    """What an erasure would do, for the confirmation page: drafts deleted, submitted dossiers kept for a while."""
    dossiers = Dossier.objects.filter(candidate=user)
    return {
        "drafts": never_submitted(dossiers).count(),
        "submitted": dossiers.exclude(pk__in=never_submitted(dossiers).values("pk")).select_related("cqpt"),
        "retention": settings.PERSONAL_DATA_RETENTION,
    }
