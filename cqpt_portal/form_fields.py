"""`{% form_field form.x %}`: one Bootstrap 5 form field (label, control, help, errors) built in Python.

crispy-forms' `as_crispy_field` draws the same markup through several nested templates, and Django's widget
templates draw a `<select>` one `{% include %}` per option: on a page with a filter bar of nine fields that was
about a third of the page's time (docs/performance.md). This tag writes the markup of the common controls
(text-like inputs and single selects) directly, with the same accessible structure as crispy-bootstrap5
(`label for`, `aria-describedby` to the help and the error, `aria-invalid`, `is-invalid`), and hands any other
widget (checkboxes, radios, files, multiple selects, hidden inputs) to crispy unchanged.

Loaded in every template as a builtin (settings.TEMPLATES); `tests/core/test_form_fields.py` checks that it
matches what crispy draws for the same fields.
"""

import functools
import hashlib

from django import forms, template
from django.core.exceptions import FieldDoesNotExist
from django.forms.widgets import Input
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

_FALLBACK_WIDGETS = (
    forms.CheckboxInput,
    forms.FileInput,
    forms.HiddenInput,
    forms.SelectMultiple,
    forms.CheckboxSelectMultiple,
    forms.MultiWidget,
)


def _errors(auto_id: str, errors) -> str:
    return format_html(
        '<div id="{}_error" class="invalid-feedback">{}</div>',
        auto_id,
        format_html_join(
            "", '<p id="error_{}_{}"><strong>{}</strong></p>', ((n, auto_id, e) for n, e in enumerate(errors, start=1))
        ),
    )


def _help(auto_id: str, help_text) -> str:
    return format_html('<div id="{}_helptext" class="form-text">{}</div>', auto_id, mark_safe(help_text))


def _radio_field(bound_field, wrapper_class: str) -> str:
    """A group of radio buttons in a fieldset whose legend is the label, as crispy-bootstrap5 draws it."""
    auto_id, errors = bound_field.auto_id, bound_field.errors
    context = bound_field.field.widget.get_context(bound_field.html_name, bound_field.value(), {"id": auto_id})
    options = [option for _group, group_options, _index in context["widget"]["optgroups"] for option in group_options]
    invalid = mark_safe(' aria-invalid="true"') if errors else ""
    checks = []
    for number, option in enumerate(options):
        last = number == len(options) - 1
        checks.append(
            format_html(
                '<div class="form-check"><input type="radio" class="form-check-input{}" name="{}" value="{}" '
                'id="{}"{}{}><label for="{}" class="form-check-label">{}</label>{}</div>',
                " is-invalid" if errors else "",
                option["name"],
                option["value"],
                option["attrs"]["id"],
                mark_safe(" checked") if option["attrs"].get("checked") else "",
                invalid,
                option["attrs"]["id"],
                option["label"],
                _errors(auto_id, errors) if errors and last else "",
            )
        )
    required = bound_field.field.required
    legend = format_html(
        '<legend class="form-label{} fs-6">{}{}</legend>',
        " requiredField" if required else "",
        bound_field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
    )
    described = format_html(' aria-describedby="{}_error"', auto_id) if errors else ""
    return format_html(
        '<div id="div_{}" class="{}"><fieldset{}>{}<div>{}</div></fieldset>{}</div>',
        auto_id,
        wrapper_class,
        described,
        legend,
        mark_safe("".join(checks)),
        _help(auto_id, bound_field.help_text) if bound_field.help_text else "",
    )


@register.simple_tag
def form_field(bound_field, wrapper_class: str = "mb-3"):
    """The field in a `<div class="mb-3">`: label, control, help text, errors (as crispy-bootstrap5 draws it)."""
    widget = bound_field.field.widget
    if type(widget) is forms.RadioSelect:
        return _radio_field(bound_field, wrapper_class)
    if isinstance(widget, _FALLBACK_WIDGETS) or not isinstance(widget, forms.Select | forms.Textarea | Input):
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

        return as_crispy_field(bound_field)
    auto_id = bound_field.auto_id
    errors = bound_field.errors
    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
    css = f"{widget.__class__.__name__.lower()} {css}"
    if widget.attrs.get("class"):
        css = f"{css} {widget.attrs['class']}"
    attrs = {"class": css + (" is-invalid" if errors else "")}
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{auto_id}_helptext")
    if errors:
        attrs["aria-invalid"] = "true"
        described_by.append(f"{auto_id}_error")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    attrs["id"] = widget.attrs.get("id") or auto_id
    parts = []
    if bound_field.label:
        parts.append(
            format_html(
                '<label for="{}" class="form-label">{}{}</label>',
                attrs["id"],
                bound_field.label,
                mark_safe('<span class="asteriskField">*</span>') if bound_field.field.required else "",
            )
        )
    parts.append(bound_field.as_widget(attrs=attrs))  # drawn in Python by cqpt_portal/form_renderer.py
    if errors:
        parts.append(_errors(auto_id, errors))
    if bound_field.help_text:
        parts.append(_help(auto_id, bound_field.help_text))
    return format_html('<div id="div_{}" class="{}">{}</div>', auto_id, wrapper_class, mark_safe("".join(parts)))


@register.simple_tag
def form_fields(form):
    """The whole form as `{{ form|crispy }}` draws it: the errors that belong to no field, then each field."""
    parts = []
    if form.non_field_errors():
        parts.append(
            format_html(
                '<div class="alert alert-block alert-danger"><ul class="m-0">{}</ul></div>',
                format_html_join("", "<li>{}</li>", ((error,) for error in form.non_field_errors())),
            )
        )
    for bound_field in form:
        parts.append(str(bound_field) if bound_field.is_hidden else form_field(bound_field))
    return mark_safe("\n".join(parts))


@functools.cache
def _choice_labels(model, field_name: str, language: str) -> dict:
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


@register.filter
def display(obj, field_name: str) -> str:
    """`{{ dossier|display:"state" }}`: the translated label of a choice, as `get_state_display`, but cached.

    `get_FOO_display` rebuilds a dict of every choice, translating each label, at each call: in a table of
    25 rows with two such columns that was a tenth of the page's time.
    """
    if obj is None or obj == "":
        return ""
    try:
        labels = _choice_labels(type(obj), field_name, get_language() or "")
    except (AttributeError, FieldDoesNotExist):  # not a model field with choices: as the template would
        return getattr(obj, f"get_{field_name}_display")()
    value = getattr(obj, field_name)
    return labels.get(value, value)


def form_fingerprint(form) -> str | None:
    """A key that changes whenever anything the form would draw changes, or None if it has errors.

    The language, each field's name, value, label and help text, and the choices of each select (a new
    reviewer account, a new CQPT): a fragment cached under this key is never stale, it only saves drawing
    the same markup again (`{% cache 600 "name" key %}` in the template).
    """
    if form.is_bound and form.errors:
        return None
    parts = [get_language() or ""]
    for bound_field in form:
        parts += [bound_field.html_name, repr(bound_field.value()), str(bound_field.label), str(bound_field.help_text)]
        if isinstance(bound_field.field.widget, forms.Select):
            # Read once and kept: a model's choices would otherwise be queried again to draw the select.
            choices = bound_field.field.widget.choices = list(bound_field.field.choices)
            parts.append(repr([(str(value), str(label)) for value, label in choices]))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
