from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse


def private_file_response(field_file, *, content_type: str, download_name: str, inline: bool = True):
    """Serve a private file after the caller has checked permission.

    In production, with PRIVATE_FILES_ACCEL_PREFIX set, nginx sends the bytes
    (X-Accel-Redirect to an internal location); otherwise Django streams them.
    """
    if not field_file:
        raise Http404
    disposition = "inline" if inline else "attachment"
    ascii_name = download_name.encode("ascii", "ignore").decode() or "document"
    header = f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(download_name)}"
    if settings.PRIVATE_FILES_ACCEL_PREFIX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{settings.PRIVATE_FILES_ACCEL_PREFIX.rstrip('/')}/{field_file.name}"
    else:
        try:
            handle = field_file.storage.open(field_file.name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = header
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
    )
    # The site is DENY by default; a document may be shown inline in the portal's own review page.
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Cache-Control"] = "private, no-store"
    return response
