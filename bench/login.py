#!/usr/bin/env python
"""Log in to a running portal over HTTP, as a user would, and print the Cookie header of the session.

    .venv/bin/python bench/login.py http://127.0.0.1:8000 auvicom@demo.cqpt.fr
    -> sessionid=...; csrftoken=...

It fetches the login page, posts the e-mail and password (the demo password by default), and, for staff,
the current code of the demo TOTP key on the second-factor page: the session it prints is a real, verified
one, as `../shared/bench/side-by-side` needs. It sends `X-Forwarded-Proto: https` (production settings
redirect plain HTTP) and an `Origin` header (CSRF checks it on HTTPS).
"""

import argparse
import html
import re
import sys
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cqpt_portal.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX  # noqa: E402


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Just enough of a browser: cookies kept by name (Secure ones included), redirects seen one by one."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        parts = urlsplit(self.base)
        self.origin = f"https://{parts.netloc}"
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(_NoRedirect)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        url = urljoin(self.base + "/", path.lstrip("/"))
        body = urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method="POST" if data is not None else "GET")
        request.add_header("X-Forwarded-Proto", "https")
        request.add_header("Accept-Language", "fr")
        if self.cookies:
            request.add_header("Cookie", self.cookie_header())
        if data is not None:
            request.add_header("Origin", self.origin)
            request.add_header("Referer", self.origin + path)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:  # 3xx (not followed) and 4xx/5xx
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        location = response.headers.get("Location", "")
        return response.status, location, response.read().decode("utf-8", "replace")


def _csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not match:
        raise SystemExit("no CSRF token on the page")
    return html.unescape(match.group(1))


def _totp_now() -> str:
    from django_otp.oath import TOTP

    totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY_HEX), step=30, digits=6)
    totp.time = time.time()
    return f"{totp.token():06d}"


def login(base: str, email: str, password: str = DEMO_PASSWORD) -> str:
    browser = Browser(base)
    status, _location, page = browser.request("/compte/connexion/")
    if status != 200:
        raise SystemExit(f"the login page answered {status}")
    status, location, page = browser.request(
        "/compte/connexion/", {"csrfmiddlewaretoken": _csrf(page), "username": email, "password": password}
    )
    if status != 302:
        raise SystemExit(f"login refused for {email} (HTTP {status})")
    if "double-authentification" not in location:  # staff are sent there by the page they land on
        _status, landing, _page = browser.request(location)
        location = landing or location
    if "double-authentification" in location:
        otp_page = urlsplit(location)
        otp_path = otp_page.path + (f"?{otp_page.query}" if otp_page.query else "")
        for _attempt in range(3):
            _status, _location, page = browser.request(otp_path)
            status, location, _page = browser.request(
                otp_path, {"csrfmiddlewaretoken": _csrf(page), "token": _totp_now()}
            )
            if status == 302 and "double-authentification" not in location:
                break
            time.sleep(31)  # this 30-second step's code was used already (or refused): wait for the next one
        else:
            raise SystemExit(f"second factor refused for {email}")
    return browser.cookie_header()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("email")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    args = parser.parse_args()
    print(login(args.base_url, args.email, args.password))


if __name__ == "__main__":
    main()
