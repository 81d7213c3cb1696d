"""The Python-drawn widgets write, byte for byte, what Django's widget templates write."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from cqpt_portal.form_renderer import FastWidgetRenderer


class SampleForm(forms.Form):
    name = forms.CharField(label="Nom", help_text="Votre nom", max_length=20)
    email = forms.EmailField(required=False)
    count = forms.IntegerField(min_value=0, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}), required=False)
    kind = forms.ChoiceField(choices=[("", "—"), ("a", "Un <a>"), ("b", 'Deux "b"')], required=False)
    grouped = forms.ChoiceField(
        choices=[("Groupe 1", [("x", "X"), ("y", "Y")]), ("Groupe 2", [("z", "Z")]), ("w", "W")], required=False
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    several = forms.MultipleChoiceField(choices=[("1", "Un"), ("2", "Deux")], required=False)
    agree = forms.BooleanField(required=False)
    pick = forms.ChoiceField(widget=forms.RadioSelect, choices=[("1", "Un"), ("2", "Deux")], required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "name": 'O\'Brien <script> & "co"',
            "email": "not-an-email",
            "count": "-3",
            "day": "2026-02-30",
            "secret": "s3cret",
            "hidden": "h&h",
            "search": "dup",
            "kind": "b",
            "grouped": "y",
            "note": "ligne 1\n<b>ligne 2</b>",
            "several": ["1", "2"],
            "agree": "on",
            "pick": "2",
        },
    ],
)
def test_every_widget_is_drawn_as_django_draws_it(data):
    fast = SampleForm(data, renderer=FastWidgetRenderer())
    django = SampleForm(data, renderer=DjangoTemplates())
    for name in fast.fields:
        assert str(fast[name]) == str(django[name]), name
    assert fast.as_div() == django.as_div()


def test_the_portal_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "cqpt_portal.form_renderer.FastWidgetRenderer"
    assert isinstance(get_default_renderer(), FastWidgetRenderer)
