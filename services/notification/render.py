"""Every message from a Vietnamese template (Jinja2): a subject, the short text and the full text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, Template

from shared import privacy
from shared.contracts.notification import TEMPLATES
from shared.reference import ReferenceData

TEMPLATE_DIR = Path(__file__).parent / "templates"
# What each template cannot do without; anything else it uses is optional.
REQUIRED: dict[str, tuple[str, ...]] = {
    "delegate_invitation": ("date", "time", "venue", "registration_code"),
    "waiting_list": ("date", "registration_code"),
    "delegate_promoted": ("date", "time", "venue", "registration_code"),
    "schedule_announcement": ("change", "date"),
    "conference_reminder": ("date", "time", "venue", "registration_code"),
    "issue_receipt": ("tracking_code", "received_on"),
    "issue_conclusion": ("tracking_code", "conclusion", "deadline", "responsible_agency"),
    "followup_reminder": ("tracking_code", "responsible_agency", "deadline", "state", "days"),
    "results_announcement": ("held_on", "matters", "conclusions"),
    "office_alarm": ("alarm",),
    "case_accepted": ("tracking_code", "handled_as", "accepted_on", "settlement_due"),
    "case_notice": ("tracking_code", "handled_as", "notice", "basis"),
    "case_letter": ("tracking_code", "handled_as", "what", "to", "send_by", "basis"),
    "data_request": ("request_id", "what", "held_by", "items", "law"),
    "registration_withdrawn": ("session_id", "date", "registration_code"),
    "legal_alarm": ("tracking_code", "handled_as", "clock", "due", "state", "days", "agency"),
}
if set(REQUIRED) != set(TEMPLATES):
    raise RuntimeError("every template needs its list of required parameters in REQUIRED")


class TemplateError(ValueError):
    """A request that cannot be rendered: a permanent failure, named in Vietnamese."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    short: str
    body: str


def _capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:]


class Renderer:
    def __init__(self, reference: ReferenceData) -> None:
        self.reference = reference
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATE_DIR),
            autoescape=False,  # plain text, never HTML
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        agencies = {a.code: a.name for a in reference.agencies}
        self.env.filters["agency"] = lambda code: agencies.get(code, code)
        self.env.filters["capitalize_first"] = _capitalize_first

    def missing(self, template: str, params: dict[str, str]) -> list[str]:
        return [p for p in REQUIRED[template] if not params.get(p)]

    def render(self, template: str, params: dict[str, str], name: str | None) -> Rendered:
        missing = self.missing(template, params)
        if missing:
            raise TemplateError(f"mẫu {template} thiếu tham số: {', '.join(missing)}")
        if template == "results_announcement" and params.get("village"):
            village = self.reference.village(params["village"])
            params = {**params, "village": village.name if village else params["village"]}
        variables = {
            **params,
            "commune": self.reference.commune.name,
            "privacy_notice": privacy.NOTICE,
            "addressee": f"ông/bà {name}" if name else "ông/bà",
        }
        compiled: Template = self.env.get_template(f"{template}.j2")
        context = compiled.new_context(variables)

        def block(name: str) -> str:
            return "".join(compiled.blocks[name](context)).strip()

        return Rendered(block("subject"), " ".join(block("sms").split()), block("body") + "\n")
