"""Small PDFs built byte by byte, to test the upload checks on known content."""

import io
import zlib


def build_pdf(objects: list[bytes], *, trailer_extra: bytes = b"") -> bytes:
    """A PDF whose objects 1..n are `objects` (1 is the catalog), with a classic xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref)
    )
    return out.getvalue()


PAGES = [
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
]


def plain_pdf(catalog_extra: bytes = b"", extra_objects: tuple[bytes, ...] = ()) -> bytes:
    """Catalog (1), pages (2), page (3), then `extra_objects` from 4 on."""
    catalog = b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>"
    return build_pdf([catalog, *PAGES, *extra_objects])


def pdf_with_object_stream(hidden: bytes, *, reference: bytes = b"/OpenAction 5 0 R") -> bytes:
    """A PDF whose object 5 (`hidden`) lives compressed in an object stream (4), with an xref stream (6).

    The catalog refers to it with `reference`; nothing of `hidden` is visible in the raw bytes.
    """
    header = b"5 0 "
    objstm_data = zlib.compress(header + hidden)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + reference + b" >>",
        *PAGES,
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
        % (len(header), len(objstm_data), objstm_data),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref_offset = out.tell()
    rows = [bytes([0]) + (0).to_bytes(4, "big") + (0xFFFF).to_bytes(2, "big")]
    rows += [bytes([1]) + offset.to_bytes(4, "big") + (0).to_bytes(2, "big") for offset in offsets]
    rows.append(bytes([2]) + (4).to_bytes(4, "big") + (0).to_bytes(2, "big"))  # object 5: in stream 4, index 0
    rows.append(bytes([1]) + xref_offset.to_bytes(4, "big") + (0).to_bytes(2, "big"))  # object 6: this xref
    xref_data = zlib.compress(b"".join(rows))
    out.write(
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>\n"
        b"stream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % (len(xref_data), xref_data, xref_offset)
    )
    return out.getvalue()
