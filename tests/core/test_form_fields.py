"""{% form_field %} draws a field as crispy-bootstrap5 does (label, control, help, errors, ARIA); |display
gives the label get_FOO_display gives, in the current language; form_fingerprint changes with what is drawn."""

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from django.utils.html import escape

from candidates.enums import DossierState
from candidates.models import Dossier
from cqpt_portal.form_fields import form_fingerprint


class FilterForm(forms.Form):
    q = forms.CharField(label="Rechercher", help_text="Un nom ou un numéro", required=False)
    state = forms.ChoiceField(label="État", choices=[("", "Tous"), ("a", "Ouvert <a>")], required=False)
    since = forms.DateField(label="Depuis", widget=forms.DateInput(attrs={"type": "date"}), required=False)
    agree = forms.BooleanField(label="D'accord", required=False)


def _draw(form, name):
    return Template("{% form_field form." + name + " %}").render(Context({"form": form}))


def test_a_text_field_has_its_label_help_and_value():
    html = _draw(FilterForm({"q": 'dup"<'}), "q")
    assert '<label for="id_q" class="form-label">Rechercher</label>' in html
    assert 'value="dup&quot;&lt;"' in html
    assert 'aria-describedby="id_q_helptext"' in html
    assert '<div id="id_q_helptext" class="form-text">Un nom ou un numéro</div>' in html


def test_a_select_marks_the_chosen_option_and_escapes_labels():
    html = _draw(FilterForm({"state": "a"}), "state")
    assert '<select name="state"' in html and 'class="select form-select"' in html
    assert '<option value="a" selected>Ouvert &lt;a&gt;</option>' in html


def test_an_invalid_value_is_tied_to_its_field():
    form = FilterForm({"since": "31/02/2026"})
    assert not form.is_valid()
    html = _draw(form, "since")
    assert 'aria-invalid="true"' in html and "is-invalid" in html
    assert 'aria-describedby="id_since_error"' in html
    assert '<div id="id_since_error" class="invalid-feedback"><p id="error_1_id_since"><strong>' in html


def test_other_widgets_are_left_to_crispy():
    html = _draw(FilterForm({"agree": "on"}), "agree")
    assert 'type="checkbox"' in html and "form-check" in html


@pytest.mark.django_db
def test_display_gives_the_translated_label_of_the_choice():
    dossier = Dossier(state=DossierState.SUBMITTED, access_route="")
    template = Template('{{ d|display:"state" }}|{{ d|display:"access_route"|default:"—" }}')
    with translation.override("fr"):
        french = template.render(Context({"d": dossier}))
        assert french == f"{escape(dossier.get_state_display())}|—"
    with translation.override("en"):
        english = template.render(Context({"d": dossier}))
        assert english == f"{escape(dossier.get_state_display())}|—"
    assert english != french
    assert template.render(Context({"d": None})) == "|—"


def test_the_fingerprint_follows_values_choices_and_language_and_is_none_with_errors():
    first = form_fingerprint(FilterForm({"q": "dup"}))
    assert first == form_fingerprint(FilterForm({"q": "dup"}))
    assert first != form_fingerprint(FilterForm({"q": "dupont"}))
    other_choices = FilterForm({"q": "dup"})
    other_choices.fields["state"].choices = [("", "Tous"), ("b", "Fermé")]
    assert first != form_fingerprint(other_choices)
    with translation.override("en"):
        assert first != form_fingerprint(FilterForm({"q": "dup"}))
    assert form_fingerprint(FilterForm({"since": "pas une date"})) is None


class YesNoForm(forms.Form):
    answer = forms.ChoiceField(
        label="Dans la branche", choices=[("oui", "Oui"), ("non", "Non")], widget=forms.RadioSelect
    )


def test_radio_buttons_are_a_fieldset_whose_legend_is_the_label():
    html = _draw(YesNoForm({"answer": "non"}), "answer")
    assert (
        '<fieldset><legend class="form-label requiredField fs-6">Dans la branche<span class="asteriskField">*' in html
    )
    assert 'value="non" id="id_answer_1" checked>' in html and 'value="oui" id="id_answer_0">' in html
    assert '<label for="id_answer_0" class="form-check-label">Oui</label>' in html


def test_a_missing_radio_answer_is_said_in_the_fieldset():
    form = YesNoForm({})
    assert not form.is_valid()
    html = _draw(form, "answer")
    assert '<fieldset aria-describedby="id_answer_error">' in html
    assert html.count('aria-invalid="true"') == 2
    assert '<div id="id_answer_error" class="invalid-feedback"><p id="error_1_id_answer"><strong>' in html
