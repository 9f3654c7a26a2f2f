"""schemathesis hooks for Cairn's fuzzing run (loaded through SCHEMATHESIS_HOOKS by test_schemathesis.py).

One failure shape is dropped, because it is schemathesis's, not the server's: a "schema-violating request
accepted" (ST201) whose only negated component is a multipart body that, read as it went over the wire,
satisfies the schema. The negative phase changes the JSON type of multipart fields (the `file` part to null,
`owner_id` to an integer…), but a multipart part is bytes: a file part holding `null` is a valid file and a
text part holding `-105625` a valid owner id. schemathesis already judges plain text parts as sent
(`_form_body_is_valid_as_sent`) but keeps the generated value of file parts; this hook reads file parts as
what they are — any bytes are a file — and asks schemathesis's own check again. Every other failure, on every
route, stays a failure, and dropped ones are counted in the run's summary ("dropped by `filter_failure`").

One check is schemathesis's own with one case it cannot know about: `resource_availability_after_jobs` is
`ensure_resource_availability` (ST302, "created resource not found"; the test command excludes the original).
An upload's 202 announces each file's material id before its job runs, and a job that is cancelled, or that finds
the file's content already stored under another id, ends without adding that material: the id then answers 404.
schemathesis counts only a DELETE as removing what a POST created, so a stateful run that uploads, cancels the job
and reads the material reports the 404. The check lets it pass only when the upload announced the id as a `queued`
file and the server's own job record says the job stored nothing — GET /v1/jobs/{job} shows it ended cancelled, or
with the content found already stored, and added and updated nothing — and counts it with the dropped failures.
Any other 404 after a create, a material the job stored and something later removed among them, is still ST302.

It uses schemathesis internals, which is why Tests/Clients/setup.sh pins schemathesis's version.
"""

import ast
import threading
import time
from urllib.parse import urlsplit

import requests
import schemathesis
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import EnsureResourceAvailability
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


ANNOUNCING_ROUTES = {"/v1/materials", "/v1/bulk"}
FINISHED_JOB = {"completed", "failed", "cancelled"}


def finished_job(base, job_id, authorization, wait=10.0):
    """The job's record once it has ended (the server removes what a job did not add just before it marks the job
    ended, so a read in between may see the job still running), or None."""
    deadline = time.monotonic() + wait
    while True:
        job = requests.get(f"{base}/v1/jobs/{job_id}", headers={"Authorization": authorization}, timeout=30)
        if job.status_code != 200:
            return None
        record = job.json()
        if record.get("status") in FINISHED_JOB:
            return record
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)


def announced_but_not_added(parent, parent_response, case, response) -> bool:
    """Whether the material `case` reads was announced as new work by the upload `parent` (a file `queued` under
    that id) and the upload's job, by the server's own record, ended storing nothing: cancelled, or finding the
    content already stored (`unchanged`), with nothing added or updated."""
    if parent.operation.method.upper() != "POST" or parent.path not in ANNOUNCING_ROUTES:
        return False
    if not case.path.startswith("/v1/materials/") or parent_response.status_code != 202:
        return False
    try:
        material = int((case.path_parameters or {})["id"])
        receipt = parent_response.json()
        job_id = int(receipt["job_id"])
    except (KeyError, TypeError, ValueError):
        return False
    queued = {f.get("material_id") for f in receipt.get("files") or []
              if isinstance(f, dict) and f.get("status") == "queued"}
    if material not in queued:
        return False
    url = urlsplit(response.request.url)
    record = finished_job(f"{url.scheme}://{url.netloc}", job_id, response.request.headers.get("Authorization", ""))
    if record is None:
        return False
    counts = record.get("counts") or {}
    stored_nothing = counts.get("added") == 0 and counts.get("updated") == 0
    return stored_nothing and (record.get("status") == "cancelled" or (counts.get("unchanged") or 0) >= 1)


@schemathesis.check
def resource_availability_after_jobs(ctx, response, case):
    """schemathesis's `ensure_resource_availability`, except for a material its upload's job did not add."""
    try:
        return openapi_checks.ensure_resource_availability(ctx, response, case)
    except EnsureResourceAvailability:
        parent = ctx.internals.find_parent(case_id=case.id)
        parent_response = parent and ctx.internals.find_response(case_id=parent.id)
        if parent_response is None or not announced_but_not_added(parent, parent_response, case, response):
            raise
        if ctx.internals.recorder is not None:
            ctx.internals.recorder.record_filtered_failure(case_id=case.id)
        return None
