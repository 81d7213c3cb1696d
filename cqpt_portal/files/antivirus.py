"""Scan an upload with clamd (INSTREAM) when CLAMD_SOCKET is set."""

import logging
import socket
import struct

from django.conf import settings

logger = logging.getLogger(__name__)
_CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    pass


def _connect() -> socket.socket:
    address = settings.CLAMD_SOCKET
    if ":" in address and not address.startswith("/"):
        host, port = address.rsplit(":", 1)
        return socket.create_connection((host, int(port)), timeout=settings.CLAMD_TIMEOUT)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(settings.CLAMD_TIMEOUT)
    sock.connect(address)
    return sock


def clamd_scan(uploaded_file) -> str | None:
    """The name of the virus clamd found, or None when clean. Raises ScannerUnavailable when clamd does not answer."""
    uploaded_file.seek(0)
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := uploaded_file.read(_CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error
    finally:
        uploaded_file.seek(0)
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    # "stream: OK", "stream: Eicar-Signature FOUND", or "... ERROR" (e.g. size limit exceeded).
    if answer.endswith("OK"):
        return None
    if answer.endswith("FOUND"):
        return answer.split(":", 1)[-1].removesuffix("FOUND").strip() or "virus"
    raise ScannerUnavailable(answer or "no answer")
