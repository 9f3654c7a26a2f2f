"""A rate-limited key: the client gets its RateLimitError, and with retries on it waits for Retry-After
and succeeds."""

import re
import time
import urllib.request

import openai
import pytest

from conftest import Server

MODEL = "all-MiniLM-L6-v2"


@pytest.fixture(scope="module")
def limited(workdir):
    # One request every two seconds per key, no burst beyond one.
    live = Server(workdir / "limited", env={"CAIRN_RATE_LIMIT": "0.5", "CAIRN_RATE_BURST": "1"})
    yield live
    assert live.stop() == 0, live.log()[-3000:]


def rejected(server):
    """How many 429s the server has answered (from its Prometheus metrics)."""
    text = urllib.request.urlopen(server.url + "/metrics", timeout=10).read().decode()
    return sum(float(m.group(1)) for m in re.finditer(r'^cairn_http_requests_total\{[^}]*status="429"[^}]*\} (\S+)$',
                                                     text, re.M))


def test_a_rate_limit_is_a_rate_limit_error_without_retries(limited):
    client = openai.OpenAI(base_url=limited.url + "/v1", api_key=limited.admin_key, max_retries=0)
    client.embeddings.create(model=MODEL, input="first")
    with pytest.raises(openai.RateLimitError) as error:
        client.embeddings.create(model=MODEL, input="second")
    assert error.value.status_code == 429 and error.value.code == "rate_limit_exceeded"
    assert int(error.value.response.headers["retry-after"]) >= 1
    time.sleep(2.5)  # let the bucket refill for the next test


def test_the_client_retries_after_retry_after(limited):
    client = openai.OpenAI(base_url=limited.url + "/v1", api_key=limited.admin_key, max_retries=3)
    before = rejected(limited)
    client.embeddings.create(model=MODEL, input="first")
    started = time.monotonic()
    response = client.embeddings.create(model=MODEL, input="second")  # refused once, retried after Retry-After
    waited = time.monotonic() - started
    assert len(response.data) == 1
    assert rejected(limited) >= before + 1, "the server should have answered 429 before the retry succeeded"
    assert waited >= 1.0, f"the client retried after {waited:.2f} s, before Retry-After"
