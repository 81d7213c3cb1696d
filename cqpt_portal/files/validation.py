"""Checks of an uploaded document by its content, never by its name or browser type."""

import io
import logging
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DetectedType:
    mime: str
    extension: str
    label: str


PDF = DetectedType("application/pdf", "pdf", "PDF")
JPEG = DetectedType("image/jpeg", "jpg", "JPEG")
PNG = DetectedType("image/png", "png", "PNG")

# Keys that embed a file, a script, rich media or an XFA form wherever they appear (name trees included).
_ACTIVE_PDF_KEYS = frozenset(
    {"/JavaScript", "/JS", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/RichMedia", "/XFA", "/Launch"}
)
# Action types that run code, open another program, or send or import data.
_ACTIVE_ACTION_TYPES = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute", "/Rendition", "/GoToE"}
)
# Automatic actions: /AA (on open, close, page view, field events) always; /OpenAction unless it only shows a page.
_PDF_OBJECT_LIMIT = 200_000
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_RAW_ACTIVE_NAMES = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA|SubmitForm|ImportData)")


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
    """Walk every object reachable from the trailer with pypdf (name trees, actions, annotations, object streams).

    Active: a key of _ACTIVE_PDF_KEYS anywhere, an action of _ACTIVE_ACTION_TYPES, an /AA (automatic actions),
    an /OpenAction other than going to a page, or a file specification with an embedded file.
    """
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    # A second net for bytes no structure reaches (an object appended after %%EOF, which a viewer repairing the
    # file may still read): the active names anywhere in the raw bytes, #xx escapes decoded, prefixes included.
    unescaped = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    if _RAW_ACTIVE_NAMES.search(unescaped):
        return True
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise ValueError("encrypted")
    seen: set = set()
    stack = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > _PDF_OBJECT_LIMIT:
                return True  # too intricate to vouch for
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            keys = set(obj.keys())
            if keys & _ACTIVE_PDF_KEYS or "/AA" in keys:
                return True
            if obj.get("/S") in _ACTIVE_ACTION_TYPES:
                return True
            if obj.get("/Type") in ("/EmbeddedFile", "/Filespec") and "/EF" in keys:
                return True
            if "/OpenAction" in keys:
                action = obj["/OpenAction"]
                action = action.get_object() if isinstance(action, IndirectObject) else action
                if isinstance(action, DictionaryObject) and action.get("/S") != NameObject("/GoTo"):
                    return True
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return False


def _image_problem(uploaded_file) -> str | None:
    """Decode the whole image under UPLOAD_MAX_PIXELS; return why it is refused, or None."""
    from PIL import Image

    uploaded_file.seek(0)
    try:
        with Image.open(uploaded_file) as image:
            width, height = image.size
            if width * height > settings.UPLOAD_MAX_PIXELS:
                return "too_many_pixels"
            image.load()
    except Image.DecompressionBombError:
        return "too_many_pixels"
    except Exception:  # noqa: BLE001 - Pillow raises many types on a broken or truncated image
        return "broken_image"
    finally:
        uploaded_file.seek(0)
    return None


def reencoded_image(uploaded_file, detected: DetectedType):
    """A clean copy of an accepted image: decoded pixels saved again, without metadata or trailing bytes.

    Whatever followed or was hidden in the original (an HTML page, a script, EXIF with GPS) is not kept.
    """
    from django.core.files.base import ContentFile
    from PIL import Image, ImageOps

    uploaded_file.seek(0)
    with Image.open(uploaded_file) as image:
        image = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if detected is JPEG:
            image.convert("RGB").save(out, format="JPEG", quality=90)
        else:
            if image.mode not in ("1", "L", "LA", "RGB", "RGBA", "P"):
                image = image.convert("RGBA")
            image.save(out, format="PNG", optimize=True)
    uploaded_file.seek(0)
    return ContentFile(out.getvalue())


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
    if detected in (JPEG, PNG):
        problem = _image_problem(uploaded_file)
        if problem == "too_many_pixels":
            raise ValidationError(
                _("Cette image est trop grande (plus de %(max)s millions de pixels) : réduisez-la puis déposez-la.")
                % {"max": number_format(settings.UPLOAD_MAX_PIXELS // 1_000_000)},
                code="too_many_pixels",
            )
        if problem:
            raise ValidationError(_("Cette image est illisible ou endommagée."), code="broken_image")
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
    _antivirus_check(uploaded_file)
    uploaded_file.seek(0)
    return detected


def checked_upload(uploaded, *, field: str = "file") -> DetectedType:
    """Check an upload's content and size inside a service (never trusting the caller); a refusal names the field."""
    from cqpt_portal.exceptions import ActionRefused

    try:
        detected = validate_document_upload(uploaded)
    except ValidationError as error:
        raise ActionRefused(fields={field: [" ".join(error.messages)]}) from None
    uploaded.seek(0)
    return detected


def _antivirus_check(uploaded_file) -> None:
    if not settings.CLAMD_SOCKET:
        return
    from .antivirus import ScannerUnavailable, clamd_scan

    try:
        found = clamd_scan(uploaded_file)
    except ScannerUnavailable as error:
        if settings.CLAMD_UNAVAILABLE == "accept":
            logger.error("clamd unavailable (%s): upload accepted unscanned", error)
            return
        logger.error("clamd unavailable (%s): upload refused", error)
        raise ValidationError(
            _("L'analyse antivirus est momentanément indisponible : réessayez dans quelques minutes."),
            code="scanner_unavailable",
        ) from None
    if found:
        logger.warning("Upload refused by clamd: %s", found)
        raise ValidationError(_("Ce fichier contient un virus : il est refusé."), code="virus")


def space_problem(files, size: int, *, max_count: int, max_bytes: int, too_many: str, too_big: str) -> str:
    """Why one more file of `size` bytes does not fit among `files` (a queryset with a `size` field), or "".

    One query. `too_many` is formatted with %(count)s, `too_big` with %(size)s, %(left)s and %(max)s: each
    owner (a dossier, a dossier de preuves) says it in its own words.
    """
    totals = files.aggregate(count=Count("pk"), total=Sum("size"))
    count, total = totals["count"] or 0, totals["total"] or 0
    if count >= max_count:
        return too_many % {"count": count}
    if total + size > max_bytes:
        return too_big % {
            "size": filesizeformat(size),
            "left": filesizeformat(max(max_bytes - total, 0)),
            "max": filesizeformat(max_bytes),
        }
    return ""
