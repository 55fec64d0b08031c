"""The public contract: CloudEvents parsing in both modes, schemas generated from the models, examples."""

import json

import jsonschema
import pytest

from shared.contracts.catalogue import CATALOGUE
from shared.contracts.envelope import EnvelopeError, parse_message, validate_data
from shared.contracts.registration import RegisterDelegate
from shared.contracts.schemagen import (
    EXAMPLE_DIR,
    SCHEMA_DIR,
    envelope_schema,
    load_example,
    render,
)

PUBLIC = sorted(key for key, spec in CATALOGUE.items() if spec.public)


def test_every_public_message_has_a_schema_and_an_example():
    # The contract's 16, and cancel-session, reclassify, close, accept, opt-out, issue-results,
    # approve-summary, withdraw, suspend, correct-kind, the two data requests, the
    # conference notice issued, a village head's contact, an agency's, and its points.
    assert len(PUBLIC) == 35
    for key in PUBLIC:
        assert (SCHEMA_DIR / f"{key}.json").exists(), key
        assert (EXAMPLE_DIR / f"{key}.json").exists(), key


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_shipped_schemas_match_the_models(key):
    shipped = (SCHEMA_DIR / f"{key}.json").read_text(encoding="utf-8")
    assert shipped == render(envelope_schema(CATALOGUE[key])), f"run `make schemas` for {key}"


@pytest.mark.parametrize("key", PUBLIC)
def test_each_example_validates_against_its_schema_and_its_model(key):
    example = load_example(key)
    schema = json.loads((SCHEMA_DIR / f"{key}.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        example
    )
    event = parse_message(json.dumps(example).encode(), "application/cloudevents+json", {})
    validate_data(CATALOGUE[key].model, event.data)


def test_a_schema_rejects_what_the_model_rejects():
    schema = json.loads((SCHEMA_DIR / "registration.register-delegate.v1.json").read_text())
    example = load_example("registration.register-delegate.v1")
    example["data"]["category"] = "mayor"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(example, schema)


def test_binary_mode_reads_attributes_from_ce_headers():
    example = load_example("registration.check-in.v1")
    headers = {
        "ce-specversion": "1.0",
        "ce-id": "abc",
        "ce-source": "/x",
        "ce-type": example["type"],
    }
    event = parse_message(json.dumps(example["data"]).encode(), "application/json", headers)
    assert (event.id, event.source, event.data) == ("abc", "/x", example["data"])


def test_a_body_that_is_not_json_is_named_as_such():
    with pytest.raises(EnvelopeError) as bad:
        parse_message(b"{not json", "application/cloudevents+json", {})
    assert bad.value.errors[0]["code"] == "json"


def test_a_json_object_that_is_not_a_cloudevent_names_each_missing_attribute():
    with pytest.raises(EnvelopeError) as bad:
        parse_message(b'{"hello": 1}', None, {})
    assert {e["field"] for e in bad.value.errors} == {"specversion", "id", "source", "type"}


def test_schema_errors_name_the_field_in_vietnamese():
    with pytest.raises(EnvelopeError) as bad:
        validate_data(RegisterDelegate, {"session_id": "TT-2026-DK1", "gender": "x"})
    fields = {e["field"]: e["message"] for e in bad.value.errors}
    assert fields["data.full_name"] == "thiếu trường bắt buộc"
    assert "male" in fields["data.gender"]
