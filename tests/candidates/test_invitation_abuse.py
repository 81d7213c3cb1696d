"""An employer cannot turn invitations into a mailing tool: a daily quota, a short plain message."""

import pytest
from django.core import mail

from candidates.models import EmployerInvitation
from cqpt_portal.exceptions import ActionRefused
from tests.candidates.test_employer_invitations import _invite, _post_invitation, _text
from tests.conftest import login
from tests.factories import CqptFactory, EmployerFactory

pytestmark = pytest.mark.django_db


def test_invitations_are_capped_per_company_and_per_day(client, settings):
    settings.EMPLOYER_INVITATIONS_PER_DAY = 3
    employer = EmployerFactory()
    cqpt = CqptFactory()
    for n in range(3):
        _invite(employer, cqpt, email=f"salarie{n}@example.org")
    colleague = EmployerFactory(company=employer.company)
    with pytest.raises(ActionRefused) as refused:
        _invite(colleague, cqpt, email="encore@example.org")
    assert "déjà envoyé 3 propositions en 24 heures" in refused.value.messages[0]
    login(client, colleague)
    response = _post_invitation(client, cqpt, email="encore@example.org")
    assert "déjà envoyé 3 propositions" in _text(response)
    assert EmployerInvitation.objects.count() == 3


def test_another_company_has_its_own_quota(settings):
    settings.EMPLOYER_INVITATIONS_PER_DAY = 1
    cqpt = CqptFactory()
    _invite(EmployerFactory(), cqpt, email="a@example.org")
    _invite(EmployerFactory(), cqpt, email="b@example.org")
    assert EmployerInvitation.objects.count() == 2


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ('<a href="https://evil.example">Cliquez</a>', "ni balise HTML ni lien"),
        ("Connectez-vous sur https://evil.example/login", "ni balise HTML ni lien"),
        ("Voir www.evil.example", "ni balise HTML ni lien"),
        ("x" * 501, "dépasse 500 caractères"),
    ],
)
def test_the_message_is_short_plain_text_said_next_to_the_field(client, message, reason):
    employer = EmployerFactory()
    login(client, employer)
    response = _post_invitation(client, CqptFactory(), message=message)
    assert response.status_code == 200
    assert reason in _text(response)
    assert not EmployerInvitation.objects.exists() and not mail.outbox
    with pytest.raises(ActionRefused):
        _invite(employer, message=message)


def test_a_plain_message_goes_into_the_email(client, django_capture_on_commit_callbacks):
    login(client, EmployerFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_invitation(client, CqptFactory(), message="Nous soutenons votre candidature.")
    assert response.status_code == 302
    assert "Nous soutenons votre candidature." in mail.outbox[0].body
