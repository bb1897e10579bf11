"""The skill catalogue and the text analysis the embedded search is built on."""
import pytest

from services.neighbourhood import helpers
from services.neighbourhood.skill_catalogue import CATEGORIES, LANGUAGES, SKILLS, SKILLS_BY_ID


def test_the_catalogue_has_at_least_70_skills_with_unique_ids():
    assert len(SKILLS) >= 70
    assert len(SKILLS_BY_ID) == len(SKILLS)


@pytest.mark.parametrize("skill", SKILLS, ids=lambda s: s["id"])
def test_every_skill_has_a_label_in_every_language_and_synonyms(skill):
    assert set(skill["labels"]) == set(LANGUAGES)
    assert all(isinstance(label, str) and label.strip() for label in skill["labels"].values())
    assert skill["synonyms"] and all(s.strip() for s in skill["synonyms"])
    assert skill["category"] in CATEGORIES


def test_the_supported_languages_include_the_eight_of_the_product():
    assert {"fr", "de", "en", "nl", "pt", "lb", "it", "es"} <= set(LANGUAGES)


def test_the_catalogue_is_served_in_the_readers_language():
    french = {s["id"]: s["label"] for s in helpers.catalogue("fr")}
    german = {s["id"]: s["label"] for s in helpers.catalogue("de")}
    assert french["french_lessons"] == "Cours de français"
    assert german["gardening"] == "Gartenarbeit"
    assert len(helpers.catalogue(None)) == len(SKILLS)


def test_an_unknown_reader_language_is_refused_with_the_supported_ones():
    with pytest.raises(Exception) as raised:
        helpers.catalogue("xx")
    assert raised.value.code == "invalid"
    assert "fr" in raised.value.message


@pytest.mark.parametrize("text, folded", [
    ("Français", "francais"), ("Straße", "strasse"), ("Œuvre", "oeuvre"),
    ("NÉERLANDAIS", "neerlandais"), ("Lëtzebuergesch", "letzebuergesch"),
])
def test_folding_lowercases_and_removes_accents(text, folded):
    assert helpers.fold(text) == folded


def test_compounds_are_split_and_also_joined():
    assert helpers.words("baby-sitting") == ["baby", "sitting", "babysitting"]
    assert helpers.words("garde d'enfants") == ["garde", "enfants", "denfants"]


def test_stopwords_are_dropped():
    assert helpers.words("cours de français") == ["cours", "francais"]


@pytest.mark.parametrize("word, stem", [
    ("jardinage", "jardin"), ("jardinier", "jardin"), ("jardins", "jardin"),
    ("gardening", "garden"), ("gardener", "garden"), ("lessons", "lesson"),
])
def test_light_stemming_brings_word_forms_together(word, stem):
    assert helpers.stem(word) == stem


def test_short_words_are_not_stemmed_away():
    assert helpers.stem("cats") == "cats"


def test_query_words_join_neighbours_so_compounds_written_apart_match():
    assert "babysitting" in helpers.query_words("baby sitting")


def test_a_profile_is_searchable_by_every_label_of_its_skills():
    texts = helpers.skill_texts(["french_lessons"])
    assert "Cours de français" in texts and "French lessons" in texts
    assert "Französischunterricht" in texts
