"""schemathesis over every route of /openapi.json against a live server with an admin key: no 5xx, no
response that violates the spec, no request that hangs, schema-invalid requests refused.

Bounded by CAIRN_FUZZ_SECONDS (default 150; `scripts/fuzz.sh` runs longer), with a fixed seed unless
CAIRN_FUZZ_SEED is set. The report (JUnit XML and the failures as a pytest file) lands in
CAIRN_FUZZ_REPORTS (default: a temporary directory) and failures are printed."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import ChatStub, Server, seed


def test_schemathesis_finds_nothing(workdir):
    # No rate limit: the fuzzer's requests should reach the routes' logic (the limit has its own tests). A local
    # chat-model stub, so POST /v1/answer runs its whole path under fuzzing.
    chat = ChatStub()
    server = Server(workdir / f"fuzz-{os.getpid()}", env={"CAIRN_BULK_ROOTS": str(workdir), "CAIRN_RATE_LIMIT": "0",
                                                          "CAIRN_LLM_URL": chat.base_url, "CAIRN_LLM_TIMEOUT_MS": "10000"})
    seed(server)
    seconds = os.environ.get("CAIRN_FUZZ_SECONDS", "150")
    reports = Path(os.environ.get("CAIRN_FUZZ_REPORTS", workdir / "fuzz-reports"))
    st = Path(sys.executable).parent / "st"
    args = [
        str(st), "--config-file", str(Path(__file__).with_name("schemathesis.toml")),
        "run", server.url + "/openapi.json",
        "--header", f"Authorization: Bearer {server.admin_key}",
        "--checks", "all",
        # schemathesis_hooks.py's resource_availability_after_jobs runs it, knowing what a cancelled upload does.
        "--exclude-checks", "ensure_resource_availability",
        "--max-time", seconds,
        "--request-timeout", "30",
        "--workers", "2",
        "--report", "junit,pytest", "--report-dir", str(reports),
        "--no-color",
    ]
    if os.environ.get("CAIRN_FUZZ_SEED", "1") != "random":
        args += ["--seed", os.environ.get("CAIRN_FUZZ_SEED", "1")]
    # The hooks drop one failure shape that is not the server's and pass one 404 the server's job record explains
    # (see schemathesis_hooks.py); the summary counts both.
    hooks = {"SCHEMATHESIS_HOOKS": "schemathesis_hooks",
             "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run(args, capture_output=True, text=True, env={**os.environ, **hooks})
    status = server.stop()
    chat.stop()
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "server.log").write_text(server.log())
    (reports / "schemathesis.txt").write_text(run.stdout + run.stderr)
    print(run.stdout[-30000:])
    assert run.returncode == 0, f"schemathesis found problems (all of its output: {reports}/schemathesis.txt)"
    assert status == 0, "the server did not shut down cleanly after the run:\n" + server.log()[-3000:]
    assert "5xx" not in server.log() and '"status":"500"' not in server.log()
    assert chat.requests > 0, "the fuzzer never got POST /v1/answer as far as the chat model"
