"""Fixtures: a live `cairn serve` (the release binary unless CAIRN_BINARY names another) on a free port,
seeded through its own API with materials of three tenants, and the official clients pointed at it."""

import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = os.environ.get("CAIRN_BINARY", str(ROOT / ".build" / "release" / "cairn"))


class Server:
    """A `cairn serve --port 0` subprocess; `url` and `admin_key` come from its start-up banner."""

    def __init__(self, data_dir, env=None):
        self.data_dir = str(data_dir)
        if not os.access(BINARY, os.X_OK):
            raise RuntimeError(f"{BINARY} is missing: build it with `swift build -c release --product cairn` "
                               "(scripts/test.sh does)")
        self.stderr = open(Path(self.data_dir).parent / (Path(self.data_dir).name + ".log"), "w+")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--data-dir", self.data_dir, "--port", "0"],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True, env={**os.environ, **(env or {})})
        self.url = None
        self.admin_key = None
        deadline = time.monotonic() + 120
        for line in self.process.stdout:
            if self.url is None and " at http://" in line:
                self.url = line.split(" at ", 1)[1].split(" ", 1)[0]
            if self.admin_key is None and line.strip().startswith("cairn_"):
                self.admin_key = line.strip()
            if "Stop: Ctrl-C" in line or time.monotonic() > deadline:
                break
        if self.url is None:
            self.process.kill()
            self.stderr.seek(0)
            raise RuntimeError("cairn serve did not start: " + self.stderr.read()[-2000:])

    def create_key(self, role, tenant=None):
        """A new key from `cairn keys create` (works while the server holds the data directory)."""
        args = [BINARY, "keys", "create", "--data-dir", self.data_dir, "--role", role]
        if tenant:
            args += ["--tenant", tenant]
        return subprocess.run(args, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]

    def request(self, method, path, body=None, key=None):
        """(status, JSON body) of one call."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {key or self.admin_key}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def upload_text(self, text, **metadata):
        """Uploads a text as JSON and waits for its job; returns the material id."""
        status, body = self.request("POST", "/v1/materials", {"text": text, **metadata})
        assert status == 202, body
        job = body["job_id"]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            _, report = self.request("GET", f"/v1/jobs/{job}")
            if report["status"] in ("completed", "failed", "cancelled"):
                assert report["status"] == "completed" and not report["errors"], report
                return report["material_ids"][0]
            time.sleep(0.1)
        raise AssertionError(f"job {job} did not finish")

    def stop(self):
        """SIGTERM, and the exit status (0 after a clean shutdown)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stderr.close()
        return self.process.returncode

    def log(self):
        return Path(self.stderr.name).read_text()


class ChatStub:
    """A local stand-in for an OpenAI-compatible chat model (`POST /v1/chat/completions`, the real wire format):
    it answers citing the first two numbered sources of the prompt, with usage counted in words. For servers
    under test that need a chat model (`CAIRN_LLM_URL` = `base_url`)."""

    def __init__(self):
        stub = self
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                stub.requests += 1
                if self.path != "/v1/chat/completions" or "messages" not in body:
                    return self.send(404, {"error": {"message": "unknown", "type": "invalid_request_error"}})
                prompt = "\n".join(m.get("content", "") for m in body["messages"])
                sources = [line[1:line.index("]")] for line in prompt.splitlines()
                           if line.startswith("[") and "]" in line][:2]
                text = " ".join(f"Source {n} says so [{n}]." for n in sources) or "The sources do not say."
                self.send(200, {
                    "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
                    "model": body.get("model", "stub"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": len(text.split()),
                              "total_tokens": len(prompt.split()) + len(text.split())},
                })

            def send(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


# Materials of three tenants, with topics, tags and languages the filters tests select on.
MATERIALS = [
    ("class-7b", "Photosynthesis", "biology", ["exam", "plants"], "en",
     "# Photosynthesis\n\nPlants make glucose from light, water and carbon dioxide. The reactions run in the "
     "chloroplasts of leaf cells, where chlorophyll absorbs red and blue light.\n\n## Light reactions\n\nWater is "
     "split, oxygen is released, and ATP and NADPH carry the energy to the Calvin cycle."),
    ("class-7b", "Osmosis", "biology", ["plants"], "en",
     "# Osmosis\n\nWater moves across a semipermeable membrane toward the side with the higher solute "
     "concentration. Root hair cells take up water from the soil by osmosis."),
    ("class-7b", "Linear equations", "algebra", ["exam"], "en",
     "# Linear equations\n\nTo solve 3x + 5 = 20, subtract 5 from both sides and divide by 3: x = 5. A linear "
     "equation has one solution unless its coefficients cancel."),
    ("class-7b", "광합성", "biology", ["exam"], "ko",
     "# 광합성\n\n식물은 빛 에너지를 이용하여 물과 이산화탄소로 포도당을 만든다. 이 과정은 엽록체에서 일어나며 "
     "산소가 방출된다."),
    ("class-7b", "光合作用", "biology", [], "zh-Hans",
     "# 光合作用\n\n植物利用光能把水和二氧化碳转化为葡萄糖，并释放氧气。这个过程发生在叶绿体中。"),
    ("class-8", "Cell division", "biology", ["exam"], "en",
     "# Mitosis\n\nA cell copies its chromosomes and divides into two identical daughter cells. Plants make new "
     "leaves by mitosis in their growing tips."),
    ("class-9", "Fractions", "algebra", [], "en",
     "# Fractions\n\nTo add fractions, bring them to a common denominator: 1/2 + 1/3 = 3/6 + 2/6 = 5/6."),
]


def seed(server):
    ids = {}
    for owner, title, topic, tags, lang, text in MATERIALS:
        ids[title] = server.upload_text(text, title=title, format="markdown", owner_id=owner, topic=topic,
                                        tags=tags, lang=lang, license_type="CC-BY-4.0",
                                        source_uri=f"https://example.org/{owner}/{title}")
    return ids


@pytest.fixture(scope="session")
def workdir():
    with tempfile.TemporaryDirectory(prefix="cairn-clients-") as directory:
        yield Path(directory)


@pytest.fixture(scope="session")
def server(workdir):
    """A server with the seeded materials; checks at the end that it shut down cleanly."""
    live = Server(workdir / "data")
    live.material_ids = seed(live)
    yield live
    assert live.stop() == 0, live.log()[-3000:]
