"""The embedded default (no environment at all, what scripts/run serves): DEBUG off, French error pages, static files."""

import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings


def _clean_env(tmp_path, **extra) -> dict:
    """No configuration variable at all; the database is a scratch file so that the test touches nothing."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "cqpt_portal.settings"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    env.update(extra)
    return env


def _settings_of(tmp_path, **extra) -> dict:
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'DEBUG': s.DEBUG, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS, "
        "'WHITENOISE_USE_FINDERS': s.WHITENOISE_USE_FINDERS, 'SECURE_SSL_REDIRECT': s.SECURE_SSL_REDIRECT}))"
    )
    result = subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=_clean_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_no_environment_debug_is_off_on_localhost(tmp_path):
    embedded = _settings_of(tmp_path)
    assert embedded["DEBUG"] is False
    assert {"127.0.0.1", "localhost"} <= set(embedded["ALLOWED_HOSTS"])
    assert embedded["WHITENOISE_USE_FINDERS"] is True  # static files without collectstatic
    assert embedded["SECURE_SSL_REDIRECT"] is False  # plain http://127.0.0.1:8000
    assert _settings_of(tmp_path, DEBUG="1")["DEBUG"] is True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local server
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture
def embedded_server(tmp_path):
    """`manage.py runserver` as scripts/run starts it, with no environment."""
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - fixed command line
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=_clean_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, "runserver stopped"
                assert time.monotonic() < deadline, "runserver did not start"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_mistyped_address_shows_the_french_404_with_its_styles(embedded_server):
    status, _headers, html = _get(f"{embedded_server}/une-adresse-mal-tapee/")
    assert status == 404
    assert "<h1>Page introuvable</h1>" in html and '<html lang="fr">' in html
    assert "Page not found" not in html and "URLconf" not in html
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert stylesheets
    for href in stylesheets:
        status, headers, _css = _get(f"{embedded_server}{href}")
        assert status == 200, href
        assert headers["Content-Type"].startswith("text/css"), href
