"""The official `openai` client's embeddings.create against a live server: the vectors are the ones
`cairn embed` prints for the same texts, in both encodings and for a full batch of 2,048 inputs."""

import base64
import json
import math
import struct
import subprocess

import openai
import pytest

from conftest import BINARY

MODEL = "all-MiniLM-L6-v2"


def cairn_embed(texts, data_dir):
    """Vectors from `cairn embed --json` (texts as arguments: they may hold newlines)."""
    out = subprocess.run([BINARY, "embed", "--json", "--data-dir", str(data_dir), *texts],
                         check=True, capture_output=True, text=True).stdout
    return [item["embedding"] for item in json.loads(out)["items"]]


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=server.url + "/v1", api_key=server.admin_key)


TEXTS = [
    "How do plants make glucose?",
    "식물은 어떻게 포도당을 만드나요?",
    "植物是如何制造葡萄糖的？",
    "Water moves toward the higher solute concentration.\nIt is called osmosis.",
]


@pytest.mark.parametrize("encoding", [None, "float", "base64"])
def test_vectors_match_cairn_embed(client, workdir, encoding):
    kwargs = {} if encoding is None else {"encoding_format": encoding}  # None: the client's default (base64)
    response = client.embeddings.create(model=MODEL, input=TEXTS, **kwargs)
    expected = cairn_embed(TEXTS, workdir / "embed")
    assert response.object == "list" and response.model == MODEL
    assert [d.index for d in response.data] == list(range(len(TEXTS)))
    for item, want in zip(response.data, expected):
        vector = item.embedding
        if encoding == "base64":
            # Asked for explicitly, the client hands the base64 text over as it came: little-endian float32.
            raw = base64.b64decode(vector)
            vector = list(struct.unpack(f"<{len(raw) // 4}f", raw))
        assert item.object == "embedding" and len(vector) == 384
        assert cosine(vector, want) >= 0.99999
    assert response.usage.prompt_tokens == response.usage.total_tokens > len(TEXTS)


def test_one_string_input(client, workdir):
    response = client.embeddings.create(model=MODEL, input="한국어 질문 하나", encoding_format="float")
    assert len(response.data) == 1
    assert cosine(response.data[0].embedding, cairn_embed(["한국어 질문 하나"], workdir / "embed")[0]) >= 0.99999


def test_a_batch_of_2048(client, workdir):
    texts = [f"Question {i}: what does the chloroplast do in cell {i % 97}?" for i in range(2047)]
    texts.append("光合作用发生在哪里？")
    response = client.embeddings.create(model=MODEL, input=texts)
    assert len(response.data) == 2048
    expected = subprocess.run([BINARY, "embed", "--json", "--data-dir", str(workdir / "embed")],
                              input="\n".join(texts) + "\n", check=True, capture_output=True, text=True).stdout
    expected = [item["embedding"] for item in json.loads(expected)["items"]]
    worst = min(cosine(d.embedding, want) for d, want in zip(response.data, expected))
    assert worst >= 0.99999, worst
    assert [d.index for d in response.data] == list(range(2048))


def test_more_than_2048_inputs_is_a_400_naming_input(client):
    with pytest.raises(openai.BadRequestError) as error:
        client.embeddings.create(model=MODEL, input=["a"] * 2049)
    assert error.value.param == "input"


def test_a_bad_dimension_is_a_400_naming_dimensions(client):
    with pytest.raises(openai.BadRequestError) as error:
        client.embeddings.create(model=MODEL, input="hello", dimensions=512)
    assert error.value.status_code == 400 and error.value.param == "dimensions"
    assert error.value.type == "invalid_request_error"
    # The model's own dimension is accepted.
    assert len(client.embeddings.create(model=MODEL, input="hello", dimensions=384).data[0].embedding) == 384


def test_token_ids_are_a_400_naming_input(client):
    with pytest.raises(openai.BadRequestError) as error:
        client.embeddings.create(model=MODEL, input=[[101, 2054, 102]])
    assert error.value.param == "input[0]" and "token ids" in error.value.message


def test_another_model_is_a_404_naming_model(client):
    with pytest.raises(openai.NotFoundError) as error:
        client.embeddings.create(model="text-embedding-3-small", input="hello")
    assert error.value.param == "model" and error.value.code == "model_not_found"


def test_a_bad_key_is_an_authentication_error(server):
    bad = openai.OpenAI(base_url=server.url + "/v1", api_key="cairn_not-a-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as error:
        bad.embeddings.create(model=MODEL, input="hello")
    assert error.value.status_code == 401 and error.value.code == "invalid_api_key"


def test_a_coach_key_may_embed(server):
    coach = openai.OpenAI(base_url=server.url + "/v1", api_key=server.create_key("coach", "class-7b"))
    assert len(coach.embeddings.create(model=MODEL, input="hello").data) == 1
