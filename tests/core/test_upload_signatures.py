"""Each type is recognised by its whole signature: a first byte in common is not enough."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cqpt_portal.files.validation import PNG, detect_type, validate_document_upload

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FILLER = b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.mark.parametrize(
    "head",
    [
        b"\x89",  # the first byte only
        b"\x89PNG",  # the readable part only
        PNG_SIGNATURE[:-1],  # all but the last byte
        b"\x89PNX\r\n\x1a\n",
    ],
    ids=["first-byte", "readable-part", "seven-bytes", "one-byte-wrong"],
)
def test_a_file_with_a_partial_png_signature_is_refused(head):
    data = head + b"MZ\x90\x00 not a PNG image " + FILLER
    assert detect_type(data[:16]) is None
    with pytest.raises(ValidationError) as refused:
        validate_document_upload(SimpleUploadedFile("photo.png", data, content_type="image/png"))
    assert refused.value.code == "bad_type"


def test_the_full_png_signature_is_recognised_and_then_the_whole_image_is_decoded():
    assert detect_type((PNG_SIGNATURE + FILLER)[:16]) is PNG
    uploaded = SimpleUploadedFile("photo.png", PNG_SIGNATURE + FILLER, content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        validate_document_upload(uploaded)
    assert refused.value.code == "broken_image"
