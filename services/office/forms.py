"""A form as a page draws it and a person sends it: the values typed, the command id made when
it was drawn, and each refusal next to the field it is about."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from services.office import messages as msg
from shared.contracts.common import Outcome, OutcomeError

COMMAND_ID = "_lenh"  # the hidden field: the command's id, made when the form was drawn
CSRF = "_csrf"


def new_command_id() -> str:
    return str(uuid.uuid4())


def field_of(error: OutcomeError) -> str:
    """`data.submitter.full_name` → `submitter.full_name`, the form field of the same name."""
    return error.field.removeprefix("data.").removeprefix("data")


@dataclass
class Form:
    values: dict[str, str] = field(default_factory=dict)
    command_id: str = field(default_factory=new_command_id)
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)  # refusals no field of the form shows
    said: str | None = None  # what came of the last send, in words

    @classmethod
    def sent(cls, pairs: list[tuple[str, str]]) -> Form:
        values = {k: v for k, v in pairs if k not in (CSRF,)}
        command_id = values.pop(COMMAND_ID, "") or new_command_id()
        return cls(values=values, command_id=command_id)

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def error(self, name: str, text: str) -> None:
        self.errors.setdefault(name, []).append(text)

    def took(self, outcome: Outcome | None, shown: set[str] | dict[str, str]) -> bool:
        """Whether the command was accepted (now, or when it was first sent); otherwise its
        refusal is put on the form (nothing when no outcome came: the form says pending)."""
        if outcome is None:
            return False
        if "accepted" in (outcome.status, outcome.first_status):
            return True
        if outcome.status == "duplicate":
            self.general.append(msg.DUPLICATE_REJECTED)
        self.refused(outcome, shown)
        return False

    def refused(self, outcome: Outcome, shown: set[str] | dict[str, str]) -> None:
        """Each of the service's reasons next to its field, or above the form when none shows it;
        the form is drawn again with what was typed, under a new command id (a refused command's
        id is answered with its refusal for ever)."""
        where = shown if isinstance(shown, dict) else {name: name for name in shown}
        for error in outcome.errors:
            name = field_of(error)
            head = name.split(".", 1)[0]  # `sittings.0.villages`: the sittings' field
            if name in where or head in where:
                self.error(where.get(name) or where[head], error.message)
            else:
                self.general.append(error.message)
        self.command_id = new_command_id()
