"""Translations: the English catalogue is complete, and French plurals follow French rules.

The catalogues are read from the .po files (the .mo files are build products, gitignored). For the pages,
the .po files are compiled into a temporary directory with the same command as scripts/setup, so these
tests never depend on a stale or missing .mo in the working tree.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings as django_settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

LOCALE_DIR = Path(django_settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|<[^>]+>")


def read_catalogue(language):
    with open(LOCALE_DIR / language / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po, locale=language)


def messages(catalogue):
    return [message for message in catalogue if message.id]


def pybabel():
    beside_python = Path(sys.executable).with_name("pybabel")
    return str(beside_python) if beside_python.exists() else shutil.which("pybabel")


@pytest.fixture(scope="session")
def compiled_locale(tmp_path_factory):
    """The current .po files compiled to .mo in a temporary directory (same command as scripts/setup)."""
    directory = tmp_path_factory.mktemp("locale")
    for po in LOCALE_DIR.glob("*/LC_MESSAGES/django.po"):
        target = directory / po.relative_to(LOCALE_DIR)
        target.parent.mkdir(parents=True)
        shutil.copyfile(po, target)
    subprocess.run(
        [pybabel(), "--quiet", "compile", "--domain=django", f"--directory={directory}", "--use-fuzzy"],
        check=True,
    )
    return directory


@pytest.fixture
def translated(settings, compiled_locale):
    # Changing LOCALE_PATHS through the settings fixture also empties Django's translation caches.
    settings.LOCALE_PATHS = [compiled_locale]
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_every_english_entry_is_translated_and_none_is_fuzzy():
    catalogue = read_catalogue("en")
    entries = messages(catalogue)
    assert len(entries) > 500
    assert not catalogue.fuzzy
    untranslated = [m.id for m in entries if not (all(m.string) if isinstance(m.id, tuple) else m.string)]
    fuzzy = [m.id for m in entries if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_english_translations_keep_placeholders_and_markup():
    for message in messages(read_catalogue("en")):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid, msgstr in zip(ids, strings, strict=True):
            assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_catalogue_headers_declare_language_and_plural_rule():
    english, french = read_catalogue("en"), read_catalogue("fr")
    assert (english.num_plurals, english.plural_expr) == (2, "(n != 1)")
    assert (french.num_plurals, french.plural_expr) == (2, "(n > 1)")
    headers = {language: dict(read_catalogue(language).mime_headers) for language in ("en", "fr")}
    assert headers["en"]["Language"] == "en"
    assert headers["fr"]["Language"] == "fr"


def test_french_catalogue_fills_only_plural_entries():
    entries = messages(read_catalogue("fr"))
    plurals = [m for m in entries if isinstance(m.id, tuple)]
    assert plurals, "the portal has plural strings: they need French plural forms"
    for message in plurals:
        assert message.string == message.id
    assert all(m.string == "" for m in entries if not isinstance(m.id, tuple))
    assert not any(m.fuzzy for m in entries)


@pytest.mark.django_db
def test_home_page_is_french_by_default(client, translated):
    content = client.get(reverse("home")).content.decode()
    assert '<html lang="fr">' in content
    assert "<h1>Le Certificat de Qualification Professionnelle des Télécommunications (CQPT)</h1>" in content


@pytest.mark.django_db
def test_browser_language_does_not_switch_the_portal_to_english(client, translated):
    content = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="fr">' in content
    assert "Qui peut se présenter" in content


@pytest.mark.django_db
def test_the_language_switch_selects_english(client, translated):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    content = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in content
    assert "<h1>The Telecommunications Certificate of Professional Qualification (CQPT)</h1>" in content
    assert "Who can apply?" in content
    assert "Qui peut se présenter" not in content


@pytest.mark.django_db
def test_language_cookie_selects_english(client, translated):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="en">' in content
    assert "Am I eligible?" in content


@pytest.mark.django_db
def test_a_logged_in_user_gets_the_language_of_their_profile(client, translated):
    from tests.conftest import login
    from tests.factories import UserFactory

    login(client, UserFactory(language="en"))
    content = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in content


DAYS = Template(
    "{% load i18n %}{% blocktranslate count days=n %}{{ days }} jour{% plural %}{{ days }} jours{% endblocktranslate %}"
)


@pytest.mark.parametrize(
    ("n", "french", "english"), [(0, "0 jour", "0 days"), (1, "1 jour", "1 day"), (2, "2 jours", "2 days")]
)
def test_plurals_follow_each_language(translated, n, french, english):
    with translation.override("fr"):
        assert DAYS.render(Context({"n": n})) == french
        assert translation.ngettext("%(n)s période", "%(n)s périodes", n) % {"n": n} == french.replace(
            "jour", "période"
        )
    with translation.override("en"):
        assert DAYS.render(Context({"n": n})) == english
