"""Readable labels for the audit trail: each app registers the names of its actions and states.

The audit app stores codes ("submit", "under_review"); staff read labels. The
workflow engine registers every transition and state of its tables; apps
register their other actions (e.g. "invitation_sent") in their AppConfig.ready.
"""

from django.utils.translation import gettext_lazy as _

_ACTIONS: dict[tuple[str, str], object] = {}
_STATES: dict[tuple[str, str], object] = {}

_COMMON_ACTIONS = {"create": _("Création")}


def register_action_labels(model_label: str, labels: dict) -> None:
    """Name the actions recorded on one model ("app_label.modelname"), or on any model ("*")."""
    for action, label in labels.items():
        _ACTIONS[(model_label.lower(), action)] = label


def register_state_labels(model_label: str, labels: dict) -> None:
    """Name the states of one model ("app_label.modelname")."""
    for state, label in labels.items():
        _STATES[(model_label.lower(), str(state))] = label


def action_label(model_label: str, action: str) -> str:
    label = _ACTIONS.get((model_label.lower(), action)) or _ACTIONS.get(("*", action)) or _COMMON_ACTIONS.get(action)
    return str(label) if label is not None else action


def state_label(model_label: str, state: str) -> str:
    if not state:
        return ""
    label = _STATES.get((model_label.lower(), state))
    return str(label) if label is not None else state
