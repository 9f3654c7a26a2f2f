"""The official `openai` client's vector_stores.search against a live server: a tenant's materials are
its vector store; compound filters select what /v1/retrieve's filters select; locators point into the
material's text."""

import openai
import pytest


@pytest.fixture(scope="module")
def admin(server):
    return openai.OpenAI(base_url=server.url + "/v1", api_key=server.admin_key)


@pytest.fixture(scope="module")
def coach(server):
    return openai.OpenAI(base_url=server.url + "/v1", api_key=server.create_key("coach", "class-7b"))


def retrieve_ids(server, query, filters, top_k):
    status, body = server.request("POST", "/v1/retrieve", {"query": query, "top_k": top_k, "filters": filters})
    assert status == 200, body
    return [(r["chunk_id"], round(r["similarity"], 5)) for r in body["results"]]


def test_a_compound_filter_returns_the_tenants_chunks_with_locators(server, coach):
    filters = {"type": "and", "filters": [
        {"key": "topic", "type": "eq", "value": "biology"},
        {"type": "or", "filters": [
            {"key": "tags", "type": "in", "value": ["exam"]},
            {"key": "lang", "type": "eq", "value": "zh-Hans"},
        ]},
    ]}
    page = coach.vector_stores.search("class-7b", query="How do plants make glucose?", filters=filters,
                                      max_num_results=10)
    results = list(page)
    titles = {r.attributes["title"] for r in results}
    # Photosynthesis (exam), 광합성 (exam) and 光合作用 (zh-Hans) pass; Osmosis (no exam tag, en) and the
    # algebra material do not; other tenants' materials never do.
    assert titles == {"Photosynthesis", "광합성", "光合作用"}, titles
    assert all(r.attributes["owner_id"] == "class-7b" and r.attributes["topic"] == "biology" for r in results)
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)
    for r in results:
        a = r.attributes
        assert r.file_id == str(int(a["material_id"])) and r.filename
        assert len(r.content) == 1 and r.content[0].type == "text"
        status, text = server.request("GET", f"/v1/materials/{int(a['material_id'])}/text")
        assert status == 200
        # The locators cite exactly the returned text.
        assert text["text"][int(a["char_start"]):int(a["char_end"])] == r.content[0].text
        assert isinstance(a["heading_path"], str) and a["chunk_id"] >= 1
    assert any(r.attributes["heading_path"] == "Photosynthesis > Light reactions" for r in results)


def test_results_match_retrieve_with_the_same_filter(server, admin):
    query = "Which cells take up water?"
    page = admin.vector_stores.search("class-7b", query=query, max_num_results=5,
                                      filters={"key": "tags", "type": "eq", "value": "plants"})
    got = [(int(r.attributes["chunk_id"]), round(r.score, 5)) for r in page]
    assert got == retrieve_ids(server, query, {"owner_id": "class-7b", "tags_any": ["plants"]}, 5)
    assert len(got) >= 2


def test_ne_nin_and_material_id_comparisons(server, admin):
    ids = server.material_ids
    page = admin.vector_stores.search("class-7b", query="equation", max_num_results=50, filters={
        "type": "and", "filters": [
            {"key": "material_id", "type": "gte", "value": ids["Osmosis"]},
            {"key": "topic", "type": "ne", "value": "algebra"},
            {"key": "lang", "type": "nin", "value": ["ko"]},
        ]})
    titles = {r.attributes["title"] for r in page}
    assert titles == {"Osmosis", "光合作用"}, titles


def test_score_threshold_and_several_queries(admin):
    everything = list(admin.vector_stores.search("class-7b", query="photosynthesis in leaves", max_num_results=50))
    cut = everything[len(everything) // 2].score
    kept = list(admin.vector_stores.search("class-7b", query="photosynthesis in leaves", max_num_results=50,
                                           ranking_options={"ranker": "auto", "score_threshold": cut}))
    assert kept and all(r.score >= cut for r in kept) and len(kept) < len(everything)
    both = list(admin.vector_stores.search("class-7b", query=["solve 3x + 5 = 20", "root hair cells"],
                                           max_num_results=2))
    assert {r.attributes["title"] for r in both} == {"Linear equations", "Osmosis"}


def test_another_tenants_store_is_not_found_for_a_coach(coach, admin):
    with pytest.raises(openai.NotFoundError):
        coach.vector_stores.search("class-8", query="mitosis")
    # The admin sees it; a tenant with no materials is no store.
    assert [r.attributes["owner_id"] for r in admin.vector_stores.search("class-8", query="mitosis")] == ["class-8"]
    with pytest.raises(openai.NotFoundError):
        admin.vector_stores.search("nobody", query="mitosis")


def test_bad_filters_are_400s_naming_the_field(admin):
    cases = [
        ({"key": "page_count", "type": "eq", "value": 1}, "filters.key"),
        ({"key": "topic", "type": "gt", "value": "a"}, "filters.type"),
        ({"key": "topic", "type": "in", "value": "biology"}, "filters.value"),
        ({"type": "and", "filters": [{"key": "topic", "type": "eq", "value": 3}]}, "filters.filters[0].value"),
    ]
    for filters, param in cases:
        with pytest.raises(openai.BadRequestError) as error:
            admin.vector_stores.search("class-7b", query="x", filters=filters)
        assert error.value.param == param, (filters, error.value.message)
    with pytest.raises(openai.BadRequestError) as error:
        admin.vector_stores.search("class-7b", query="x", max_num_results=51)
    assert error.value.param == "max_num_results"
