"""Checks of an uploaded document by its content, never by its name or browser type."""

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class DetectedType:
    mime: str
    extension: str
    label: str


PDF = DetectedType("application/pdf", "pdf", "PDF")
JPEG = DetectedType("image/jpeg", "jpg", "JPEG")
PNG = DetectedType("image/png", "png", "PNG")

# Names that make a PDF run code or open something when viewed.
_ACTIVE_PDF_KEYS = (
    "/JavaScript",
    "/JS",
    "/Launch",
    "/EmbeddedFile",
    "/RichMedia",
    "/XFA",
    "/SubmitForm",
    "/ImportData",
)
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def detect_type(head: bytes) -> DetectedType | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


DISPLAY_NAME_MAX_LENGTH = 150  # DossierDocument.original_name


def safe_display_name(filename: str, fallback: str = "document") -> str:
    """The client's file name reduced to a harmless label (no path, no control characters).

    A name too long for the label is cut before its extension ("début….pdf"), so it still says what it is.
    """
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if c.isprintable() and c not in '<>:"/\\|?*').strip(" .")
    name = name or fallback
    if len(name) <= DISPLAY_NAME_MAX_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        stem, extension = name, ""
    suffix = f"….{extension}" if extension else "…"
    return stem[: DISPLAY_NAME_MAX_LENGTH - len(suffix)].rstrip(" .") + suffix


def _size_pair(size: int, maximum: int) -> tuple[str, str]:
    """Both sizes as people read them, or in bytes when rounding would show them equal."""
    shown, shown_max = filesizeformat(size), filesizeformat(maximum)
    if shown != shown_max:
        return shown, shown_max
    return tuple(
        ngettext("%(count)s octet", "%(count)s octets", value) % {"count": number_format(value, force_grouping=True)}
        for value in (size, maximum)
    )


def _pdf_has_active_content(data: bytes) -> bool:
    unescaped = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    if any(re.search(re.escape(key.encode()) + rb"(?![A-Za-z])", unescaped) for key in _ACTIVE_PDF_KEYS):
        return True
    # Object streams hide dictionaries inside compressed streams: walk them too.
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise ValueError("encrypted")
    seen: set[int] = set()
    stack = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            if any(k in obj for k in _ACTIVE_PDF_KEYS):
                return True
            if obj.get("/S") in ("/JavaScript", "/Launch"):
                return True
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
        if len(seen) > 20000:
            break
    return False


def validate_document_upload(uploaded_file) -> DetectedType:
    """Accept a PDF, JPEG or PNG of at most UPLOAD_MAX_BYTES; raise ValidationError saying why not."""
    max_bytes = settings.UPLOAD_MAX_BYTES
    if uploaded_file.size is None or uploaded_file.size == 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    if uploaded_file.size > max_bytes:
        size, maximum = _size_pair(uploaded_file.size, max_bytes)
        raise ValidationError(
            _("Le fichier pèse %(size)s ; la taille maximale est de %(max)s.") % {"size": size, "max": maximum},
            code="too_large",
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    detected = detect_type(head)
    if detected is None:
        raise ValidationError(
            _(
                "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG (son contenu a été vérifié, pas seulement son nom)."
            ),
            code="bad_type",
        )
    if detected is PDF:
        uploaded_file.seek(0)
        data = uploaded_file.read()
        try:
            active = _pdf_has_active_content(data)
        except ValueError:
            raise ValidationError(
                _("Ce PDF est protégé par un mot de passe : déposez une version non protégée."), code="encrypted"
            ) from None
        except Exception:  # noqa: BLE001 - pypdf raises many types on a broken file
            raise ValidationError(_("Ce PDF est illisible ou endommagé."), code="broken_pdf") from None
        if active:
            raise ValidationError(
                _(
                    "Ce PDF contient du JavaScript, une action de lancement ou un fichier joint : il est refusé par sécurité. "
                    "Imprimez-le en PDF ou numérisez-le, puis déposez-le à nouveau."
                ),
                code="active_pdf",
            )
    uploaded_file.seek(0)
    return detected
