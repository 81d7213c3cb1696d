"""The form renderer: Django's, with its simplest widget templates written in Python.

Django draws every `<input>`, `<select>`, `<option>` and `<textarea>` through a template, and a `<select>`
includes one more template per option, each including the attributes template. On the portal's pages,
which are mostly forms (crispy-forms lays them out and asks the widgets for their markup), that was the
largest part of the time (docs/performance.md). This renderer writes the markup of those templates directly,
byte for byte as Django's templates write it; every other template (forms, labels, errors, crispy's layouts,
any widget template a project overrides) goes through the templates as before.
`tests/core/test_form_renderer.py` checks the output against Django's own templates.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(out)


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html (and the templates that only include it)."""
    value = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _option(option: dict) -> str:
    """django/forms/widgets/select_option.html."""
    return (
        f'<option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
        f"{conditional_escape(option['label'])}</option>"
    )


def _select(widget: dict) -> str | None:
    """django/forms/widgets/select.html, or None if an option has a template of its own."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != "django/forms/widgets/select_option.html":
                return None
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    """django/forms/widgets/textarea.html."""
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


_INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "number",
        "password",
        "url",
        "search",
        "tel",
        "hidden",
        "date",
        "datetime",
        "time",
        "color",
    )
}


class FastWidgetRenderer(DjangoTemplates):
    """Django's DjangoTemplates renderer, with the plain widget templates drawn in Python."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and widget.get("template_name") == template_name:
            html = None
            if template_name in _INPUT_TEMPLATES:
                html = _input(widget)
            elif template_name == "django/forms/widgets/select.html":
                html = _select(widget)
            elif template_name == "django/forms/widgets/textarea.html":
                html = _textarea(widget)
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
