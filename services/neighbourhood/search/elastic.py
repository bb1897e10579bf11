"""The helper index on Elasticsearch (production: ELASTICSEARCH_URL).

An index template gives every helper index the same analysis:
- `folded`: whitespace tokens, elision of d'/l', lowercase, asciifolding ("français" →
  "francais"), word_delimiter_graph (split "baby-sitting" and keep "babysitting"), and at search
  time the skill synonym set built from the catalogue (every label and synonym of a skill are one
  equivalence line);
- one analyzer per supported language (`helpers_fr`, ... `helpers_es`): the same chain with that
  language's light stemmer ("jardinage" → "jardin"); Luxembourgish uses the German one.
Labels and free text are indexed under `folded` and under each language sub-field; queries are a
multi_match over them, fuzziness AUTO:4,20 (one typo from 4 letters on), skill labels boosted
above free text. Writes go through the bulk API with refresh=wait_for, so a document is
searchable (or gone) when the call returns. Paging uses search_after on (score, user_id).
"""
import re

from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch import helpers as es_helpers

from services.neighbourhood.helpers import STOPWORDS, fold
from services.neighbourhood.search.port import MAX_RANKED, SearchHit
from services.neighbourhood.skill_catalogue import LANGUAGES, SKILLS

STEMMERS = {"fr": "light_french", "de": "light_german", "en": "light_english",
            "nl": "dutch", "pt": "light_portuguese", "lb": "light_german",
            "it": "light_italian", "es": "light_spanish"}
SKILL_BOOST = 3
FREE_TEXT_BOOST = 1


def synonym_lines():
    """One Solr-format equivalence line per skill: its labels and synonyms, folded. Each entry is
    reduced to its words so the synonym filter (which runs after tokenising) can match it."""
    lines = []
    for skill in SKILLS:
        entries = []
        for text in list(skill["labels"].values()) + skill["synonyms"]:
            entry = " ".join(w for w in re.findall(r"[^\W_]+", fold(text))
                             if w not in STOPWORDS)
            if entry and entry not in entries:
                entries.append(entry)
        if len(entries) > 1:
            lines.append(", ".join(entries))
    return lines


def _chain(stemmer=None, search=False):
    """whitespace tokens → elision (d'enfants → enfants) → lowercase → asciifolding → [search:
    the skill synonyms] → word_delimiter_graph (baby-sitting → baby, sitting, babysitting) →
    [index: flatten_graph, as an index cannot store a token graph] → [a language's stemmer].
    Synonyms come before the compound splitter because Elasticsearch parses the synonym lines
    with the filters in front of the synonym filter and refuses word_delimiter_graph there; they
    apply at search time only (documents carry every label of their skills already)."""
    chain = ["quartier_elision", "lowercase", "asciifolding"]
    if search:
        chain.append("quartier_skill_synonyms")
    chain.append("quartier_compounds")
    if not search:
        chain.append("flatten_graph")
    if stemmer:
        chain.append("quartier_stem_" + stemmer)
    return {"type": "custom", "tokenizer": "whitespace", "filter": chain}


def _text_field(name):
    return {"type": "text", "analyzer": name, "search_analyzer": name + "_search"}


def index_settings():
    filters = {
        "quartier_elision": {"type": "elision", "articles_case": True,
                             "articles": ["l", "d", "j", "m", "n", "s", "t", "qu", "c",
                                          "dell", "all", "un"]},
        "quartier_compounds": {"type": "word_delimiter_graph", "catenate_all": True,
                               "preserve_original": True},
        "quartier_skill_synonyms": {"type": "synonym_graph", "lenient": True,
                                    "synonyms": synonym_lines()},
    }
    analyzers = {"folded": _chain(), "folded_search": _chain(search=True)}
    for language, stemmer in STEMMERS.items():
        filters["quartier_stem_" + stemmer] = {"type": "stemmer", "language": stemmer}
        analyzers["helpers_" + language] = _chain(stemmer)
        analyzers["helpers_%s_search" % language] = _chain(stemmer, search=True)
    text = dict(_text_field("folded"), fields={
        language: _text_field("helpers_" + language) for language in LANGUAGES})
    return {
        "settings": {"number_of_shards": 1, "analysis": {"filter": filters,
                                                          "analyzer": analyzers}},
        "mappings": {"dynamic": "strict", "properties": {
            "user_id": {"type": "keyword"}, "municipality_id": {"type": "keyword"},
            "neighbourhood_id": {"type": "keyword"}, "skills": {"type": "keyword"},
            "languages": {"type": "keyword"}, "volunteer": {"type": "boolean"},
            "skill_texts": text, "free_text": text,
        }},
    }


class ElasticHelperIndex:
    def __init__(self, url, index_name, timeout=5):
        self.index_name = index_name
        self.client = Elasticsearch(url, request_timeout=timeout)
        self._ensure_index()

    def _ensure_index(self):
        template = index_settings()
        self.client.indices.put_index_template(
            name=self.index_name + "-template", index_patterns=[self.index_name + "*"],
            template={"settings": template["settings"], "mappings": template["mappings"]},
            priority=100)
        if not self.client.indices.exists(index=self.index_name):
            self.client.indices.create(index=self.index_name)

    def upsert(self, documents, commit=True):
        actions = [{"_op_type": "index", "_index": self.index_name, "_id": d["user_id"],
                    "_source": d} for d in documents]
        if not actions:
            return 0
        es_helpers.bulk(self.client, actions, refresh="wait_for" if commit else False)
        return len(actions)

    def commit(self):
        self.client.indices.refresh(index=self.index_name)

    def remove(self, user_ids):
        actions = [{"_op_type": "delete", "_index": self.index_name, "_id": user_id}
                   for user_id in user_ids]
        if actions:
            es_helpers.bulk(self.client, actions, refresh="wait_for", raise_on_error=False)

    def purge(self, documents):
        """Deleted documents stay in Lucene's segments until a merge: expunge them now.
        (`documents` is not needed: Elasticsearch can merge away deletions by itself.)"""
        self.client.indices.forcemerge(index=self.index_name, only_expunge_deletes=True)

    def clear(self):
        self.client.delete_by_query(index=self.index_name, query={"match_all": {}},
                                    refresh=True, conflicts="proceed")

    def count(self):
        self.client.indices.refresh(index=self.index_name)
        return self.client.count(index=self.index_name)["count"]

    def ping(self):
        return bool(self.client.ping())

    def close(self):
        self.client.close()

    def search(self, query):
        if not query.neighbourhood_ids:
            return []
        filters = [{"terms": {"neighbourhood_id": list(query.neighbourhood_ids)}}]
        if query.municipality_id:
            filters.append({"term": {"municipality_id": query.municipality_id}})
        if query.skill:
            filters.append({"term": {"skills": query.skill}})
        if query.language:
            filters.append({"term": {"languages": query.language}})
        if query.volunteer is not None:
            filters.append({"term": {"volunteer": query.volunteer}})
        bool_query = {"filter": filters}
        if query.text:
            fields = (["skill_texts^%d" % SKILL_BOOST]
                      + ["skill_texts.%s^%d" % (l, SKILL_BOOST) for l in LANGUAGES]
                      + ["free_text^%d" % FREE_TEXT_BOOST]
                      + ["free_text.%s^%d" % (l, FREE_TEXT_BOOST) for l in LANGUAGES])
            bool_query["must"] = [{"multi_match": {
                "query": query.text, "fields": fields, "type": "most_fields",
                "fuzziness": "AUTO:4,20", "prefix_length": 1, "operator": "or"}}]
        body = {"query": {"bool": bool_query}, "size": query.limit, "track_scores": True,
                "sort": [{"_score": "desc"}, {"user_id": "asc"}], "_source": False}
        if query.after is not None:
            body["search_after"] = [query.after[0], query.after[1]]
        try:
            found = self.client.search(index=self.index_name, **body)
        except NotFoundError:
            return []
        hits = found["hits"]["hits"][:MAX_RANKED]
        return [SearchHit(hit["_id"], float(hit["_score"] or 0.0)) for hit in hits]
