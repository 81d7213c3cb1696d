"""Small helpers for the accounts tests: read links out of e-mails, check where an error is shown."""

import html as html_module
import re
from urllib.parse import urlsplit

from django.core import mail

_LINK = re.compile(r"https?://\S+")


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def link_in(message) -> str:
    """The portal path (with its query string) of the last link of an e-mail body."""
    links = [urlsplit(url) for url in _LINK.findall(message.body)]
    portal_links = [u for u in links if u.path not in ("", "/")]
    assert portal_links, message.body
    url = portal_links[-1]
    return f"{url.path}?{url.query}" if url.query else url.path


def error_next_to(html: str, field: str, text: str) -> bool:
    """True when `text` is rendered as the error of `field` (crispy bootstrap5: <div id="id_<field>_error">)."""
    match = re.search(rf'<div id="id_{field}_error"[^>]*>(.*?)</div>', html, re.S)
    return bool(match) and text in html_module.unescape(match.group(1))
