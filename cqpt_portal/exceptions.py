"""The one error type for a refused domain action."""


class ActionRefused(Exception):
    """A refused action (wrong state, wrong role, a rule, someone faster), with its reasons for the user.

    `messages` are every reason, shown as they are, in the user's language;
    `fields` ties some of them to the form field they are about, so that a page
    shows each one next to its field. Services and the workflow engine raise it;
    views catch it.
    """

    def __init__(self, *messages, fields: dict[str, list] | None = None):
        self.non_field_messages = [str(m) for m in messages]
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items() if msgs}
        self.messages = self.non_field_messages + [m for msgs in self.fields.values() for m in msgs]
        super().__init__("; ".join(self.messages))

    @property
    def message(self) -> str:
        return " ".join(self.messages)
