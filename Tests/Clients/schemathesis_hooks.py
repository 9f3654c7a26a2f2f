"""schemathesis hooks for Cairn's fuzzing run (loaded through SCHEMATHESIS_HOOKS by test_schemathesis.py).

One failure kind is dropped, and only in one exact shape: a negative case whose every mutation changes the
JSON type of a multipart *file* part (a property with `contentMediaType`), with nothing else in the request
negated. schemathesis sends such a value as a file part holding its JSON text (`null`, `true`, `5`, `{}`), and
every byte of that request is a valid upload, so a 202 is the right answer; schemathesis reasons the same way
about numbers in a query string (`_type_mutations_become_valid_after_serialization`) but not yet about
multipart files. Every other failure, on every route, stays a failure. Dropped failures are counted in the
run's summary ("dropped by `filter_failure`"), so none is hidden.
"""

import schemathesis
from schemathesis.core.mutations import OperatorKind
from schemathesis.core.parameters import ParameterLocation

ACCEPTED_NEGATIVE_DATA = "ST201"


def _file_properties(case):
    """Names of the body's multipart properties that are files, from the operation's schema."""
    media_type = (case.media_type or "").split(";")[0].strip().lower()
    if media_type != "multipart/form-data":
        return set()
    for body in case.operation.body:
        if body.media_type.split(";")[0].strip().lower() == media_type:
            properties = body.resolved_schema.get("properties", {})
            return {name for name, prop in properties.items()
                    if isinstance(prop, dict) and "contentMediaType" in prop}
    return set()


def type_change_of_file_part_only(failure, case) -> bool:
    """Whether `failure` is the accepted-negative-data failure of a case that only retyped a file part."""
    if getattr(failure, "code", None) != ACCEPTED_NEGATIVE_DATA:
        return False
    meta = case.meta
    mutations = getattr(getattr(getattr(meta, "phase", None), "data", None), "mutations", None)
    if not mutations:
        return False
    files = _file_properties(case)
    if not files:
        return False
    for mutation in mutations:
        if mutation.operator != OperatorKind.CHANGE_TYPE or mutation.parameter_location != ParameterLocation.BODY:
            return False
        if mutation.schema_pointer not in {f"/properties/{name}" for name in files}:
            return False
    for location in (ParameterLocation.PATH, ParameterLocation.QUERY, ParameterLocation.HEADER,
                     ParameterLocation.COOKIE):
        if meta.is_negative_at(location):
            return False
    return True


@schemathesis.hook
def filter_failure(context, failure, case, response):
    return not type_change_of_file_part_only(failure, case)
