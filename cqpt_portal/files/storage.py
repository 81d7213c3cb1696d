import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


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
