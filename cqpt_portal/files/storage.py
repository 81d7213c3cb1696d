import logging
import os
import secrets
import tempfile
from contextlib import suppress
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from cqpt_portal.exceptions import ActionRefused

logger = logging.getLogger(__name__)


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Uploaded documents: outside STATIC and the public media URL; no URL at all.

    The folder is read from PRIVATE_MEDIA_ROOT when first used, not when the
    model field is built at import, so that a changed setting (tests) applies.
    """

    def __init__(self, location=None, **kwargs):
        kwargs["base_url"] = None
        super().__init__(location=location, **kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise NotImplementedError("Private files are only served by permission-checked views.")

    def _save(self, name, content):
        """Write to a temporary file beside the target, then rename it: a file exists whole or not at all.

        A full disk or a read-only folder raises OSError and leaves nothing behind
        (the temporary file is removed); the caller turns it into a message.
        """
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                if hasattr(content, "seek"):
                    content.seek(0)
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            # The name is random and was checked free by save(); rename is atomic on one file system.
            os.replace(temporary, full_path)
        finally:
            with suppress(FileNotFoundError):
                os.unlink(temporary)
        return str(name).replace("\\", "/")


def file_save_or_refuse(field_file, content, *, field: str = "file") -> None:
    """Store `content` in a FileField (not saving the model); a storage failure becomes ActionRefused.

    Side effect: one file written, whole, or nothing (PrivateStorage._save). The
    refusal's message goes next to `field`.
    """
    try:
        field_file.save("upload", content, save=False)
    except OSError as exc:
        logger.error("Could not store an uploaded file: %s", exc)
        raise ActionRefused(
            fields={
                field: [
                    _(
                        "Le document n'a pas pu être enregistré : l'espace de stockage du portail est "
                        "indisponible. Rien n'a été ajouté à votre dossier ; réessayez dans quelques minutes."
                    )
                ]
            }
        ) from exc


def private_storage():
    """Callable storage for FileFields (keeps the location out of migrations)."""
    return PrivateStorage()


def random_name(instance, prefix: str) -> str:
    """A random name under a dated folder; the client's file name is never used on disk."""
    extension = PurePosixPath(getattr(instance, "detected_extension", "") or "").name.strip(".")
    name = secrets.token_urlsafe(24)
    if extension:
        name = f"{name}.{extension}"
    return f"{prefix}/{timezone.now():%Y/%m}/{name}"


def dossier_document_path(instance, filename):
    return random_name(instance, "dossiers")
