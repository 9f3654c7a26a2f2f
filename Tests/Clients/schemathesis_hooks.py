"""schemathesis hooks for Cairn's fuzzing run (loaded through SCHEMATHESIS_HOOKS by test_schemathesis.py).

One failure shape is dropped, because it is schemathesis's, not the server's: a "schema-violating request
accepted" (ST201) whose only negated component is a multipart body that, read as it went over the wire,
satisfies the schema. The negative phase changes the JSON type of multipart fields (the `file` part to null,
`owner_id` to an integer…), but a multipart part is bytes: a file part holding `null` is a valid file and a
text part holding `-105625` a valid owner id. schemathesis already judges plain text parts as sent
(`_form_body_is_valid_as_sent`) but keeps the generated value of file parts; this hook reads file parts as
what they are — any bytes are a file — and asks schemathesis's own check again. Every other failure, on every
route, stays a failure, and dropped ones are counted in the run's summary ("dropped by `filter_failure`").

It uses schemathesis internals, which is why Tests/Clients/setup.sh pins schemathesis's version.
"""

import ast
import threading

import schemathesis
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi import checks as openapi_checks

ACCEPTED_NEGATIVE_DATA = "ST201"

# CPython 3.11 (before 3.11.8) keeps the AST converter's recursion depth in state its threads share, so two threads
# parsing at once can fail with "SystemError: AST constructor recursion depth mismatch" (CPython gh-106905). With
# --workers 2, hypothesis parses the source of schemathesis's filter lambdas in both workers to describe them; one
# lock makes the parses in this process take turns. Nothing about the requests or the checks changes.
_AST_LOCK = threading.Lock()
_ast_parse = ast.parse


def _parse_in_turn(*args, **kwargs):
    with _AST_LOCK:
        return _ast_parse(*args, **kwargs)


ast.parse = _parse_in_turn


def multipart(case) -> bool:
    return (case.media_type or "").split(";")[0].strip().lower() == "multipart/form-data"


def file_properties(case):
    """Names of the multipart body's file properties (`contentMediaType`), from the operation's schema."""
    body = case.operation.get_body_for_media_type(case.media_type)
    if body is None:
        return set()
    properties = body.resolved_schema.get("properties", {})
    return {name for name, prop in properties.items() if isinstance(prop, dict) and "contentMediaType" in prop}


def valid_as_sent(case, response) -> bool:
    """Whether the multipart body, file parts read as bytes and text parts as the text sent, fits the schema."""
    if not multipart(case) or not isinstance(case.body, dict):
        return False
    files = file_properties(case)
    original = case.body
    # Any bytes are a file: stand a string in for each file part's generated value.
    case.body = {name: ("" if name in files else value) for name, value in original.items()}
    try:
        return openapi_checks._form_body_is_valid_as_sent(response, case, case.media_type)
    finally:
        case.body = original


def only_body_negated(case) -> bool:
    return case.meta is not None and not openapi_checks._has_other_negated_location(case, ParameterLocation.BODY)


def dropped(failure, case, response) -> bool:
    """Whether `failure` is the one shape this hook drops."""
    return (getattr(failure, "code", None) == ACCEPTED_NEGATIVE_DATA and only_body_negated(case)
            and valid_as_sent(case, response))


@schemathesis.hook
def filter_failure(context, failure, case, response):
    return not dropped(failure, case, response)
