"""The fuzzing run's one failure filter drops exactly the case it describes and nothing else."""

from types import SimpleNamespace

import pytest
import schemathesis
from schemathesis.core.mutations import Mutation, MutationChannel, OperatorKind
from schemathesis.core.parameters import ParameterLocation

from schemathesis_hooks import type_change_of_file_part_only


@pytest.fixture(scope="module")
def schema(server):
    return schemathesis.openapi.from_url(server.url + "/openapi.json")


def retype(pointer, parameter=None, location=ParameterLocation.BODY, operator=OperatorKind.CHANGE_TYPE):
    return Mutation(path=(), parameter_location=location, schema_pointer=pointer, channel=MutationChannel.SCHEMA,
                    operator=operator, keywords=("type",), parameter=parameter, original_value="string",
                    new_value="null")


def case(schema, path, media_type, mutations, negative_at=()):
    meta = SimpleNamespace(phase=SimpleNamespace(data=SimpleNamespace(mutations=tuple(mutations))),
                           is_negative_at=lambda location: location in negative_at)
    return SimpleNamespace(operation=schema[path]["POST"], media_type=media_type, meta=meta)


ACCEPTED = SimpleNamespace(code="ST201")


def test_a_file_part_retyped_and_nothing_else_is_dropped(schema):
    upload = case(schema, "/v1/materials", "multipart/form-data; boundary=x", [retype("/properties/file")])
    assert type_change_of_file_part_only(ACCEPTED, upload)


def test_every_other_failure_is_kept(schema):
    file_only = [retype("/properties/file")]
    # Another field of the same form retyped: the server must refuse it.
    assert not type_change_of_file_part_only(
        ACCEPTED, case(schema, "/v1/materials", "multipart/form-data", [retype("/properties/retention_years")]))
    # The file retyped beside another mutation.
    assert not type_change_of_file_part_only(ACCEPTED, case(
        schema, "/v1/materials", "multipart/form-data", file_only + [retype("/properties/title")]))
    # The file's constraints negated rather than its type changed.
    assert not type_change_of_file_part_only(ACCEPTED, case(
        schema, "/v1/materials", "multipart/form-data",
        [retype("/properties/file", operator=OperatorKind.NEGATE_CONSTRAINTS)]))
    # A negated query or header beside the retyped file.
    assert not type_change_of_file_part_only(ACCEPTED, case(
        schema, "/v1/materials", "multipart/form-data", file_only, negative_at={ParameterLocation.HEADER}))
    # The same pointer in a JSON body, where `file` is no file part.
    assert not type_change_of_file_part_only(
        ACCEPTED, case(schema, "/v1/materials", "application/json", file_only))
    # Any other kind of failure (a 5xx, a response that breaks the spec) on the retyped-file case.
    for code in ("ST101", "ST102", "ST001", "ST301"):
        assert not type_change_of_file_part_only(
            SimpleNamespace(code=code), case(schema, "/v1/materials", "multipart/form-data", file_only))
