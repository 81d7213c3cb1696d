"""The question bank in the admin: a used question is edited as a new version; the CSV import checks every row,
reports each error with its line number, and imports nothing if any row is wrong."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cqpt_portal.accounts.enums import Role
from quiz.models import AttemptQuestion, Question
from tests.conftest import login
from tests.factories import UserFactory

from .support import QuizSetup

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    login(client, UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


def change(admin_client, question, **overrides):
    data = {
        "cqpt": question.cqpt_id,
        "block": question.block_id,
        "kind": question.kind,
        "text": question.text,
        "choices_text": "\n".join(("* " if c["correct"] else "") + c["text"] for c in question.choices),
        "explanation": question.explanation,
        "is_active": "on",
        **overrides,
    }
    return admin_client.post(reverse("admin:quiz_question_change", args=[question.pk]), data)


def test_editing_a_question_used_in_an_attempt_makes_a_new_version_and_the_attempt_keeps_its_wording(admin_client):
    s = QuizSetup()
    attempt = s.open()
    drawn = attempt.questions.order_by("position").first()
    used = Question.objects.get(pk=drawn.question_id)
    response = change(admin_client, used, text="Nouvel énoncé ?")
    assert response.status_code == 302
    used.refresh_from_db()
    assert used.text != "Nouvel énoncé ?" and used.is_active is False
    new = Question.objects.get(previous=used)
    assert new.version == 2 and new.text == "Nouvel énoncé ?" and new.is_active
    assert AttemptQuestion.objects.get(pk=drawn.pk).text == drawn.text
    unused = Question.objects.exclude(pk__in=AttemptQuestion.objects.values("question_id")).first()
    change(admin_client, unused, text="Corrigé sur place ?")
    unused.refresh_from_db()
    assert unused.text == "Corrigé sur place ?" and unused.version == 1


def test_the_admin_form_checks_the_choices(admin_client):
    s = QuizSetup()
    question = s.questions[0]
    response = change(admin_client, question, choices_text="* seule")
    assert response.status_code == 200
    assert "de 2 à 8 choix" in response.content.decode()
    response = change(admin_client, question, choices_text="* a\n* b\nc", kind="single")
    assert "exactement une bonne réponse" in response.content.decode()


def upload(admin_client, text):
    file = SimpleUploadedFile("questions.csv", text.encode("utf-8"), content_type="text/csv")
    return admin_client.post(reverse("admin:quiz_question_import"), {"file": file})


def test_csv_import_all_or_nothing_with_line_numbers(admin_client):
    s = QuizSetup()
    b1, b2 = s.cqpt.blocks.order_by("position")
    before = Question.objects.count()
    bad = (
        "cqpt;bloc;type;question;choix;bonnes_reponses;explication\n"
        f"{s.cqpt.code};{b1.code};unique;Bonne question ?;Oui|Non;1;Parce que.\n"
        f"{s.cqpt.code};ZZ;unique;Bloc inconnu ?;Oui|Non;1;\n"
        f"{s.cqpt.code};{b2.code};unique;Deux bonnes ?;Oui|Non|Peut-être;1,2;\n"
        f"{s.cqpt.code};{b2.code};multiple;Un seul choix ?;Oui;1;\n"
    )
    response = upload(admin_client, bad)
    page = response.content.decode()
    assert response.status_code == 422
    assert "Ligne 3" in page and "ZZ" in page
    assert "Ligne 4" in page and "exactement une bonne réponse" in page
    assert "Ligne 5" in page and "de 2 à 8 choix" in page
    assert "Ligne 2 " not in page
    assert Question.objects.count() == before
    good = (
        "cqpt;bloc;type;question;choix;bonnes_reponses;explication\n"
        f"{s.cqpt.code};{b1.code};unique;Bonne question ?;Oui|Non;1;Parce que.\n"
        f"{s.cqpt.code};{b2.code};multiple;Lesquelles ?;A|B|C;1,3;\n"
    )
    response = upload(admin_client, good)
    assert response.status_code == 302
    assert Question.objects.count() == before + 2
    multiple = Question.objects.get(text="Lesquelles ?")
    assert [c["correct"] for c in multiple.choices] == [True, False, True]


def test_csv_import_reports_missing_columns(admin_client):
    response = upload(admin_client, "cqpt,bloc\nx,y\n")
    assert "Colonnes manquantes" in response.content.decode()


def test_the_import_page_is_for_admin_staff_only(client):
    login(client, UserFactory(role=Role.EVALUATOR))
    response = client.get(reverse("admin:quiz_question_import"))
    assert response.status_code == 302  # to the admin login
