"""The workflow engine: a state machine declared as a table of transitions, and the one function that applies them.

Each app declares its table in its own `workflow.py` (the dossier's in
candidates/, later the evaluation's, the quiz attempt's, the CPNE meeting's,
the fee's) as a `Workflow` of `Transition`s. A transition says everything about
itself: sources and target, who may apply it (a `rules` predicate), its guard,
its effect, its form, its labels for staff and for the person concerned, its
success message and who hears of it. Adding a transition touches that table
and nothing else: pages render the buttons `available()` returns, views call
`apply()` (or `submit_form()`), the audit trail and the notifications follow.

`apply()` is the only writer of a workflow's state field: it locks the row
(`select_for_update`), checks the source state, the role and the guard, runs
the effect, writes the state, appends the audit row and writes the
notifications, whose e-mails leave after commit (the outbox).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import forms
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cqpt_portal.audit.labels import register_action_labels, register_state_labels
from cqpt_portal.audit.services import audit_record
from cqpt_portal.exceptions import ActionRefused
from cqpt_portal.notifications.services import notification_create

# A guard's problem: a message, or (form field, message) to show it next to that field.
GuardProblem = str | Promise | tuple[str, str | Promise]


def _nobody(obj, actor, data):
    return []


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: str | None  # None: the effect returns the target (e.g. an administrator's correction)
    allowed: Callable  # a rules predicate (user, obj) -> bool
    staff_label: Promise
    owner_label: Promise  # the label for the person the object is about (the candidate)
    success_message: Promise
    style: str = "primary"  # Bootstrap button style
    group: str = "decision"  # pages group their buttons by it (e.g. "queue" beside "decision")
    form: type[forms.Form] | None = None  # shapes the input; None: a plain button
    guard: Callable[..., Iterable[GuardProblem]] | None = None  # (obj, actor, data) -> problems
    effect: Callable[..., str | None] | None = None  # (obj, actor, data) -> target when `target` is None
    # (obj, actor, data) -> [(recipient, NotificationKind)], or (recipient, kind, {"attachment": ...})
    notify: Callable[..., Iterable[tuple]] = _nobody
    refusal: Callable[..., Promise | str | None] | None = None  # (obj, actor) -> why `allowed` said no, if known
    next_page: str = ""  # URL name to go to once applied (default: stay on the object's page)


class Workflow:
    """One state machine: a model, its state field and its table of transitions."""

    def __init__(
        self,
        *,
        model: type[models.Model],
        transitions: list[Transition],
        state_field: str = "state",
        changed_at_field: str | None = None,
        select_related: tuple[str, ...] = (),
        link: Callable | None = None,
        context: Callable | None = None,
        stale_message: Promise | None = None,
        role_message: Promise | None = None,
    ):
        """`link(obj, recipient)` is the page a notification sends its recipient to; `context(obj, data)` its data."""
        self.model = model
        self.state_field = state_field
        self.changed_at_field = changed_at_field
        self.select_related = select_related
        self.transitions = {t.name: t for t in transitions}
        assert len(self.transitions) == len(transitions), "transition names must be unique"
        self.states = {value for value, _label in model._meta.get_field(state_field).choices}
        for t in transitions:
            unknown = (set(t.sources) | ({t.target} if t.target else set())) - self.states
            assert not unknown, f"{t.name}: unknown states {unknown}"
        self._followers: dict[str, list[Callable]] = {}
        self._link = link or (lambda obj, recipient: "")
        self._context = context or (lambda obj, data: {})
        # When the state is no longer a source (someone was faster): "%(state)s" is the current state's label.
        self.role_message = role_message or gettext_lazy("Votre rôle ne permet pas cette action.")
        self.stale_message = stale_message or gettext_lazy(
            "Action impossible : l'état est maintenant « %(state)s ». Quelqu'un l'a peut-être traité entre-temps."
        )
        register_action_labels(model._meta.label_lower, {t.name: t.staff_label for t in transitions})
        register_state_labels(model._meta.label_lower, dict(model._meta.get_field(state_field).choices))

    # --- reading the table -----------------------------------------------------------------

    def __getitem__(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise ActionRefused(_("Action inconnue.")) from None

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def available(self, user, obj, *, group: str | None = None) -> list[Transition]:
        """The transitions this user may apply to this object now (guards are checked on apply)."""
        state = self.state_of(obj)
        return [
            t
            for t in self.transitions.values()
            if state in t.sources and (group is None or t.group == group) and t.allowed.test(user, obj)
        ]

    def is_available(self, user, obj, name: str) -> bool:
        t = self.transitions.get(name)
        return t is not None and self.state_of(obj) in t.sources and t.allowed.test(user, obj)

    def refusal(self, user, obj, name: str) -> ActionRefused | None:
        """Why this user may not apply this transition to this object now (None if they may)."""
        transition = self[name]
        if self.state_of(obj) not in transition.sources:
            choices = dict(obj._meta.get_field(self.state_field).choices)
            state = choices.get(self.state_of(obj), self.state_of(obj))
            return ActionRefused(str(self.stale_message) % {"state": state})
        if not transition.allowed.test(user, obj):
            reason = transition.refusal(obj, user) if transition.refusal else None
            return ActionRefused(reason or self.role_message)
        return None

    def follow(self, name: str, callback: Callable) -> None:
        """Run `callback(obj, actor, data)` in the same transaction each time `name` is applied.

        For a consequence that belongs to another app, which this table's app
        must not import (e.g. funding marks a fee not due when a dossier is
        withdrawn): the other app registers it in its AppConfig.ready, so the
        link is explicit and greppable. It runs after the state and the audit
        row are written; it must not apply a transition to the same row.
        """
        assert name in self.transitions, f"unknown transition {name}"
        self._followers.setdefault(name, []).append(callback)

    # --- applying a transition -------------------------------------------------------------

    def apply(self, *, pk, name: str, actor, data: dict | None = None, comment: str = ""):
        """Apply one transition to one object, or raise ActionRefused saying why not.

        Side effects, in one transaction: locks the row, runs the transition's
        effect, saves the state, writes an audit row and the notifications; their
        e-mails go after commit.
        """
        transition = self[name]
        data = {**(data or {})}
        data["comment"] = (comment or data.get("comment") or "").strip()
        with transaction.atomic():
            queryset = self.model.objects.select_for_update(of=("self",))
            if self.select_related:
                queryset = queryset.select_related(*self.select_related)
            obj = queryset.get(pk=pk)
            refused = self.refusal(actor, obj, name)
            if refused is not None:
                raise refused
            if transition.guard is not None:
                problems = list(transition.guard(obj, actor, data))
                if problems:
                    raise _refusal_from(problems)
            from_state = self.state_of(obj)
            target = (transition.effect(obj, actor, data) if transition.effect else None) or transition.target
            assert target in self.states, f"{name}: no target state"
            setattr(obj, self.state_field, target)
            if self.changed_at_field:
                setattr(obj, self.changed_at_field, timezone.now())
            obj.save()
            audit_record(
                actor=actor,
                target=obj,
                action=name,
                from_state=from_state,
                to_state=target,
                comment=data["comment"],
                extra={k: v for k, v in data.items() if k != "comment"},
            )
            for callback in self._followers.get(name, []):
                callback(obj, actor, data)
            context = self._context(obj, data)
            for recipient, kind, *extra in transition.notify(obj, actor, data):
                notification_create(
                    recipient=recipient,
                    kind=kind,
                    link=self._link(obj, recipient),
                    context=context,
                    **(extra[0] if extra else {}),
                )
        return obj

    def submit_form(self, *, pk, name: str, actor, form: forms.Form | None):
        """Validate a transition's form and apply it; errors go next to their fields.

        Returns the object, or None when the form or the workflow refused
        (then `form` carries the errors; a refusal with no form raises).
        """
        if form is not None and not form.is_valid():
            return None
        data = form.transition_data() if hasattr(form, "transition_data") else dict(getattr(form, "cleaned_data", {}))
        try:
            return self.apply(pk=pk, name=name, actor=actor, data=data)
        except ActionRefused as refused:
            if form is None:
                raise
            add_refusal_to_form(form, refused)
            return None


def add_refusal_to_form(form: forms.Form, refused: ActionRefused) -> None:
    """Show a refusal on a form: each reason next to its field when the form has it, the rest above."""
    renamed = getattr(form, "refusal_fields", {})  # a form may name a data key differently
    for message in refused.non_field_messages:
        form.add_error(None, message)
    for key, messages in refused.fields.items():
        name = renamed.get(key, key)
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


def _refusal_from(problems: list[GuardProblem]) -> ActionRefused:
    plain, fields = [], {}
    for problem in problems:
        if isinstance(problem, tuple):
            fields.setdefault(problem[0], []).append(problem[1])
        else:
            plain.append(problem)
    return ActionRefused(*plain, fields=fields)


def field_problem(field_name: str, message) -> tuple[str, str | Promise]:
    """A guard's problem about one input field."""
    return (field_name, message)
