"""Every message from a Vietnamese template (Jinja2): a subject, the short text and the full text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, Template

from shared import privacy, qr
from shared.contracts.notification import TEMPLATES
from shared.contracts.templates import required
from shared.reference import ReferenceData

TEMPLATE_DIR = Path(__file__).parent / "templates"
# What each template cannot do without (its parameter model's required fields); anything else
# it uses is optional.
REQUIRED: dict[str, tuple[str, ...]] = {template: required(template) for template in TEMPLATES}
GLOBALS = ("commune", "privacy_notice", "addressee")  # what every template is given besides


class TemplateError(ValueError):
    """A request that cannot be rendered: a permanent failure, named in Vietnamese."""


# What a confirmed delegate brings to the check-in desk: their code, also as a QR code the
# office's check-in page reads from a photo.
QR_TEMPLATES = frozenset({"delegate_invitation", "delegate_promoted", "conference_reminder"})
QR_FILENAME = "ma-dai-bieu.png"


@dataclass(frozen=True)
class Attachment:
    filename: str
    mime: str  # "image/png"
    data: bytes


@dataclass(frozen=True)
class Rendered:
    subject: str
    short: str
    body: str
    attachments: tuple[Attachment, ...] = ()


def attachments(template: str, params: dict[str, str]) -> tuple[Attachment, ...]:
    code = params.get("registration_code")
    if template not in QR_TEMPLATES or not code:
        return ()
    return (Attachment(QR_FILENAME, "image/png", qr.png(code)),)


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
        given = (
            self.reference.commune.name,
            privacy.NOTICE,
            f"ông/bà {name}" if name else "ông/bà",
        )
        variables = {**params, **dict(zip(GLOBALS, given, strict=True))}
        compiled: Template = self.env.get_template(f"{template}.j2")
        context = compiled.new_context(variables)

        def block(name: str) -> str:
            return "".join(compiled.blocks[name](context)).strip()

        return Rendered(
            block("subject"),
            " ".join(block("sms").split()),
            block("body") + "\n",
            attachments(template, params),
        )
