"""The helper search port, one contract for both adapters: tantivy (always) and Elasticsearch
(when ELASTICSEARCH_URL points at a server). Includes every matching case of issue 8: accents,
stemming, one typo, compounds and synonyms, queries in another language than the labels."""
import os
import uuid

import pytest

from services.neighbourhood.helpers import HelperProfile, index_document
from services.neighbourhood.search.port import SearchQuery

HOME, OTHER = "n-home", "n-other"


def _tantivy(tmp_path):
    from services.neighbourhood.search.embedded import TantivyHelperIndex

    return TantivyHelperIndex(str(tmp_path / "helper-index"))


def _elastic(_tmp_path):
    url = os.environ.get("ELASTICSEARCH_URL")
    if not url:
        pytest.skip("ELASTICSEARCH_URL is not set: the Elasticsearch adapter's contract run "
                    "needs a server (e.g. ELASTICSEARCH_URL=http://127.0.0.1:9200)")
    from services.neighbourhood.search.elastic import ElasticHelperIndex

    return ElasticHelperIndex(url, "quartier-test-%s-helpers" % uuid.uuid4().hex[:8])


@pytest.fixture(params=["tantivy", "elasticsearch"])
def index(request, tmp_path):
    found = {"tantivy": _tantivy, "elasticsearch": _elastic}[request.param](tmp_path)
    yield found
    if request.param == "elasticsearch":
        found.client.indices.delete(index=found.index_name, ignore_unavailable=True)
        found.client.indices.delete_index_template(name=found.index_name + "-template")


def profile(user_id, skills, free_text="", neighbourhood=HOME, volunteer=False,
            languages=("fr",)):
    return HelperProfile(user_id=user_id, municipality_id="m1", neighbourhood_id=neighbourhood,
                         first_name=user_id.title(), skills=list(skills), free_text=free_text,
                         languages=list(languages), volunteer=volunteer)


NEIGHBOURS = [
    profile("teacher", ["french_lessons"]),
    profile("dutch", ["dutch_lessons"], languages=("nl", "fr")),
    profile("gardener", ["gardening"], volunteer=True),
    profile("sitter", ["babysitting"]),
    profile("pets", ["pet_sitting", "dog_walking"]),
    profile("houses", ["house_sitting"]),
    profile("shopper", ["shopping", "pharmacy_runs"], volunteer=True),
    profile("fixer", ["diy_repairs", "bicycle_repair"], languages=("de",)),
    profile("baker", ["baking"], free_text="J'aime aussi le jardinage bio"),
    # Far away: the searcher neither lives there nor follows it.
    profile("far-teacher", ["french_lessons"], neighbourhood=OTHER),
    profile("far-sitter", ["babysitting"], neighbourhood=OTHER),
]


@pytest.fixture
def filled(index):
    index.upsert([index_document(p) for p in NEIGHBOURS])
    return index


def search(index, text="", **filters):
    filters.setdefault("neighbourhood_ids", [HOME])
    return [hit.user_id for hit in index.search(SearchQuery(text=text, **filters))]


@pytest.mark.parametrize("query, expected", [
    ("français", "teacher"),
    ("francais", "teacher"),                      # accents
    ("FRANCAIS", "teacher"),
    ("jardin", "gardener"),                       # stemming: jardinage
    ("jardinier", "gardener"),
    ("jardinnage", "gardener"),                   # one typo
    ("babysiting", "sitter"),                     # one typo
    ("babysitting", "sitter"),                    # compounds and synonyms
    ("baby-sitting", "sitter"),
    ("baby sitting", "sitter"),
    ("garde d'enfants", "sitter"),
    ("French lessons", "teacher"),                # cross-language
    ("cours de français", "teacher"),
    ("Französischunterricht", "teacher"),
    ("lezioni di francese", "teacher"),
    ("Kinderbetreuung", "sitter"),
    ("bike repair", "fixer"),
    ("courses supermarché", "shopper"),
])
def test_each_matching_case_finds_the_expected_helper_among_the_first_three(
        filled, query, expected):
    found = search(filled, query, limit=3)
    assert expected in found, (query, found)


@pytest.mark.parametrize("query", ["francais", "babysitting", "French lessons"])
def test_the_best_match_comes_first(filled, query):
    assert search(filled, query)[0] in ("teacher", "sitter")


def test_skill_labels_rank_above_free_text(filled):
    found = search(filled, "jardinage")
    assert found.index("gardener") < found.index("baker")


def test_helpers_outside_the_searchers_neighbourhoods_never_appear(filled):
    found = search(filled, "francais babysitting", limit=50)
    assert "far-teacher" not in found and "far-sitter" not in found
    assert set(search(filled, "", limit=100)) == {p.user_id for p in NEIGHBOURS[:9]}
    assert "far-teacher" in search(filled, "francais", neighbourhood_ids=[HOME, OTHER])
    assert search(filled, "francais", neighbourhood_ids=[]) == []


def test_filters_by_skill_language_and_volunteer(filled):
    assert search(filled, skill="babysitting") == ["sitter"]
    assert search(filled, language="nl") == ["dutch"]
    assert set(search(filled, volunteer=True)) == {"gardener", "shopper"}
    assert search(filled, "jardin", volunteer=False) == ["baker"]


def test_a_query_of_only_stopwords_finds_nothing(filled):
    assert search(filled, "de la") == []


def test_upserting_the_same_document_twice_leaves_one(index):
    document = index_document(profile("teacher", ["french_lessons"]))
    index.upsert([document])
    index.upsert([document])
    assert index.count() == 1
    assert search(index, "francais") == ["teacher"]


def test_an_upsert_replaces_the_document(filled):
    filled.upsert([index_document(profile("teacher", ["gardening"]))])
    assert "teacher" not in search(filled, "francais")
    assert "teacher" in search(filled, "jardinage")


def test_removed_documents_disappear_and_removing_twice_is_fine(filled):
    filled.remove(["sitter"])
    filled.remove(["sitter", "nobody"])
    assert "sitter" not in search(filled, "babysitting")
    assert filled.count() == len(NEIGHBOURS) - 1


def test_clear_empties_the_index(filled):
    filled.clear()
    assert filled.count() == 0
    assert search(filled, "") == []


def test_pages_continue_after_the_last_result_without_repeats(filled):
    seen, after = [], None
    while True:
        page = filled.search(SearchQuery(neighbourhood_ids=[HOME], text="", limit=4,
                                         after=after))
        if not page:
            break
        seen.extend(hit.user_id for hit in page)
        after = (page[-1].score, page[-1].user_id)
    assert sorted(seen) == sorted(p.user_id for p in NEIGHBOURS[:9])
    assert len(seen) == len(set(seen))


def test_ranked_pages_keep_the_relevance_order(filled):
    everything = filled.search(SearchQuery(neighbourhood_ids=[HOME], text="sitting garde",
                                           limit=50))
    first = filled.search(SearchQuery(neighbourhood_ids=[HOME], text="sitting garde", limit=2))
    rest = filled.search(SearchQuery(neighbourhood_ids=[HOME], text="sitting garde", limit=50,
                                     after=(first[-1].score, first[-1].user_id)))
    assert [h.user_id for h in first + rest] == [h.user_id for h in everything]


def test_the_elasticsearch_template_has_an_analyzer_per_language_and_the_catalogue_synonyms():
    # Checked without a server: what the template asks Elasticsearch to build.
    from services.neighbourhood.search.elastic import index_settings, synonym_lines
    from services.neighbourhood.skill_catalogue import LANGUAGES, SKILLS

    settings = index_settings()
    analysis = settings["settings"]["analysis"]
    for language in LANGUAGES:
        assert "asciifolding" in analysis["analyzer"]["helpers_" + language]["filter"]
        searching = analysis["analyzer"]["helpers_%s_search" % language]["filter"]
        assert "quartier_skill_synonyms" in searching
    lines = synonym_lines()
    assert len(lines) == len(SKILLS)
    babysitting = next(line for line in lines if "kinderbetreuung" in line)
    assert "garde enfants" in babysitting and "baby sitting" in babysitting
    fields = settings["mappings"]["properties"]["skill_texts"]["fields"]
    assert set(fields) == set(LANGUAGES)


def test_a_purge_leaves_the_removed_documents_nowhere_in_the_engine(index, tmp_path):
    stays = index_document(profile("gardener", ["gardening"], "jardin potager"))
    leaves = index_document(profile("leaver", ["gardening"], "zqsecretword jardin"))
    index.upsert([stays, leaves])
    index.remove(["leaver"])
    index.purge([stays])
    index.purge([stays])  # idempotent

    assert index.count() == 1
    assert [h.user_id for h in index.search(SearchQuery([HOME], text="jardin"))] == ["gardener"]
    if hasattr(index, "index"):  # tantivy: a removed document's terms stay until a merge
        index.index.reload()
        searcher = index.index.searcher()
        assert searcher.doc_freq("user_id", "leaver") == 0
        assert searcher.terms_with_prefix("free_text", "zqsecret") == []
