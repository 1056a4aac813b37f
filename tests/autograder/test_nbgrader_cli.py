"""Our nbgrader entry point checks cell metadata exactly as nbgrader does, only faster."""

import jsonschema
import nbformat
import pytest
from nbgrader.nbgraderformat import common
from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

from autograder import nbgrader_cli


@pytest.fixture
def cached(monkeypatch):
    """nbgrader's format module with our validate (undone after the test)."""
    monkeypatch.setattr(common, "jsonschema", jsonschema)
    nbgrader_cli.use_cached_schema_checks()
    assert common.jsonschema is not jsonschema
    return common.jsonschema


def cell(**nbgrader):
    c = nbformat.v4.new_code_cell("x = 1")
    c.metadata["nbgrader"] = {"schema_version": 3, **nbgrader}
    return c


GOOD = [
    {"grade": True, "solution": False, "locked": True, "grade_id": "test_entropy", "points": 3},
    {"grade": False, "solution": True, "locked": False, "grade_id": "entropy"},
    {"grade": False, "solution": False, "locked": True, "grade_id": "setup"},
]
BAD = [
    {"grade": "yes", "solution": False, "locked": True, "grade_id": "a", "points": 1},
    {"grade": True, "solution": False, "locked": True, "grade_id": "has space", "points": 1},
    {"grade": True, "solution": False, "locked": True, "grade_id": "a", "points": -1},
    {"grade": True, "solution": False, "locked": True, "grade_id": "a", "points": "3"},
]


@pytest.mark.parametrize("meta", GOOD)
def test_valid_metadata_passes(cached, meta):
    MetadataValidatorV3().validate_cell(cell(**meta))


@pytest.mark.parametrize("meta", BAD)
def test_invalid_metadata_raises_what_jsonschema_validate_raises(cached, meta):
    """The same error, message and path as nbgrader's own call (the independent truth)."""
    validator = MetadataValidatorV3()
    with pytest.raises(jsonschema.ValidationError) as truth:
        jsonschema.validate(cell(**meta).metadata["nbgrader"], validator.schema)
    with pytest.raises(jsonschema.ValidationError) as ours:
        validator.validate_cell(cell(**meta))
    assert ours.value.message == truth.value.message
    assert list(ours.value.path) == list(truth.value.path)


def test_the_schema_is_checked_once_not_per_cell(cached, monkeypatch):
    checks = []
    original = jsonschema.validators.Draft4Validator.check_schema
    monkeypatch.setattr(
        jsonschema.validators.Draft4Validator,
        "check_schema",
        classmethod(lambda cls, schema: checks.append(1) or original(schema)),
    )
    validator = MetadataValidatorV3()
    for i in range(20):
        validator.validate_cell(cell(**{**GOOD[i % 3], "grade_id": f"cell_{i}"}))
    assert len(checks) == 1


def test_a_call_with_other_arguments_is_passed_on_unchanged(cached):
    with pytest.raises(jsonschema.ValidationError):
        schema = {"properties": {"a": {"type": "string"}}}
        cached.validate({"a": 1}, schema, jsonschema.Draft7Validator)
