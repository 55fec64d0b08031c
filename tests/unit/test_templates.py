"""Every notification template and its parameter model agree: the variables a template uses are
its model's fields, and what it cannot do without is what the model requires. Read from the
templates themselves (Jinja2's own parser), so a variable added to one side only fails here."""

from __future__ import annotations

from datetime import date, time

import pytest
from jinja2 import meta

from services.notification.render import GLOBALS, REQUIRED, Renderer
from shared.contracts.notification import TEMPLATES
from shared.contracts.templates import (
    MODELS,
    CaseLetter,
    DelegateInvitation,
    LegalAlarm,
    OfficeAlarm,
    WaitingList,
)
from shared.reference import load_reference_data
from shared.settings import SHIPPED_REFERENCE_DATA

RENDERER = Renderer(load_reference_data(SHIPPED_REFERENCE_DATA))


def used_by(template: str) -> set[str]:
    env = RENDERER.env
    source = env.loader.get_source(env, f"{template}.j2")[0]  # type: ignore[union-attr]
    return meta.find_undeclared_variables(env.parse(source)) - set(GLOBALS)


def test_every_template_has_a_parameter_model():
    assert set(MODELS) == set(TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_templates_variables_are_its_models_fields(template):
    model = MODELS[template]
    assert used_by(template) == set(model.model_fields) - model.not_shown


@pytest.mark.parametrize("template", TEMPLATES)
def test_what_a_template_cannot_do_without_is_what_its_model_requires(template):
    model = MODELS[template]
    shown = set(model.model_fields) - model.not_shown
    assert set(REQUIRED[template]) <= shown
    assert set(REQUIRED[template]) == {
        n for n, f in model.model_fields.items() if f.is_required() and n in shown
    }


def test_days_and_hours_are_written_by_one_helper_and_nothing_absent_is_sent():
    invitation = DelegateInvitation(
        registration_code="TT-2026-DK1-0001-7", date=date(2026, 9, 5), time=time(8, 0), venue="NVH"
    )
    assert invitation.as_params() == {
        "registration_code": "TT-2026-DK1-0001-7",
        "date": "05/09/2026",
        "time": "08:00",
        "venue": "NVH",
    }
    assert WaitingList(registration_code="X").as_params() == {"registration_code": "X"}
    assert OfficeAlarm(alarm="no_periodic_dialogue", year=2026).as_params() == {
        "alarm": "no_periodic_dialogue",
        "year": "2026",
    }
    assert OfficeAlarm(alarm="delegation_incomplete", below=True).as_params()["below"] == "1"
    assert "below" not in OfficeAlarm(alarm="delegation_incomplete").as_params()
    assert (
        LegalAlarm(
            tracking_code="TT-2026-00001",
            handled_as="khiếu nại",
            clock="giải quyết",
            due=date(2026, 9, 5),
            state="expired",
            days=0,
            agency="CT",
        ).as_params()["days"]
        == "0"
    )  # a number 0 is said, a flag not set is not


def test_a_model_refuses_a_parameter_its_template_does_not_have():
    with pytest.raises(ValueError, match="extra"):
        CaseLetter(
            tracking_code="TT-2026-00001",
            handled_as="khiếu nại",
            what="x",
            to="y",
            send_by=date(2026, 9, 5),
            basis="Điều 27",
            address="Thôn Lạc Lâm",  # type: ignore[call-arg]
        )


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_renders_from_its_required_parameters_alone(template):
    model = MODELS[template]
    samples = {date: date(2026, 9, 5), time: time(8, 0), int: 3, str: "x"}
    filled = {
        name: samples.get(field.annotation, "x")  # type: ignore[call-overload]
        for name, field in model.model_fields.items()
        if field.is_required()
    }
    if "alarm" in filled:
        filled["alarm"] = "results_due"
    if "change" in filled:
        filled["change"] = "scheduled"
    if "state" in filled:
        filled["state"] = "overdue" if template == "followup_reminder" else "expired"
    params = model(**filled).as_params()
    rendered = RENDERER.render(template, params, "Nguyễn Văn An")
    assert rendered.subject and rendered.short and rendered.body.strip()
