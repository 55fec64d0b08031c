"""structlog configured once: JSON lines carrying service, event and correlation ids, personal data redacted."""

from __future__ import annotations

import logging
import re
import sys
import unicodedata
from collections.abc import Mapping
from typing import Any

import structlog

PERSONAL_KEYS = frozenset(
    {
        "full_name",
        "name",
        "citizen_id",
        "date_of_birth",
        "dob",
        "phone",
        "email",
        "contact",
        "submitter",
        "denouncer",
        "address",
    }
)
REDACTED = "[redacted]"
_SEP = r"[\s.\-]?"  # how people group digits: 0912 345 678, 0912.345.678, 0912-345-678
_PATTERNS = (
    (re.compile(rf"(?<!\d)\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{3}}(?!\d)"), "[citizen-id]"),
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<![\w+])(\+?84|\(?0)(?:[\s.\-()]{0,2}\d){9,10}(?!\d)"), "[phone]"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}\b(?!T)"), "[date]"),
)


def redact_text(text: str) -> str:
    """Personal-looking numbers masked, however they are spaced or whatever digits they use.
    A second line only: names and addresses cannot be recognised, so free text is not published."""
    text = unicodedata.normalize("NFKC", text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(value: Any, key: str | None = None) -> Any:
    """Blank personal fields by name and personal-looking numbers anywhere in text."""
    if key is not None and key.lower() in PERSONAL_KEYS and value not in (None, ""):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [redact(v) for v in value]
    return value


def _redact_processor(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    event_dict.pop("color_message", None)
    return {k: (v if k in ("timestamp", "level") else redact(v, k)) for k, v in event_dict.items()}


def configure_logging(service: str, level: str = "INFO", *, json: bool = True) -> None:
    """Route structlog and the standard library (FastStream, aio-pika) through one JSON renderer."""
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        structlog.processors.ExceptionRenderer(
            structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
        ),
        _redact_processor,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiormq", "aio_pika", "pymongo", "uvicorn.access", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
