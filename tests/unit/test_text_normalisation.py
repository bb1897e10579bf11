"""servicekit/text.py: one normalisation for rules, scorer and search, and the check names and
titles pass."""
import pytest

from servicekit import text


@pytest.mark.parametrize("written", [
    "promo", "PROMO", "pro\u200bmo", "pro\u00admo", "pr\u2060omo", "p\u202eromo",
    "prоmо",  # Cyrillic о
    "ｐｒｏｍｏ", "𝐩𝐫𝐨𝐦𝐨", "pr0mo",
])
def test_look_alike_spellings_share_one_skeleton(written):
    assert text.skeleton(written) == text.skeleton("promo")


def test_fold_removes_invisible_characters_case_and_accents_but_stays_readable():
    assert text.fold("Ré\u200bduc\u00adtion STRAßE Łódź") == "reduction strasse lodz"
    assert text.fold("한국어") == "한국어"  # decomposed for accents, composed back
    assert text.fold("a\x00b") == "a b"  # a control character separates, never joins


def test_the_matching_form_replaces_only_non_ascii_look_alikes():
    assert text.matching_form("рrоmо сode") == "promo code"  # Cyrillic р, о, с
    assert text.matching_form("pr0mo") == "pr0mo"  # ASCII as written: patterns read it
    assert text.skeleton("m") == "rn"  # UTS #39: the skeleton maps ASCII look-alikes too


def test_offsets_lead_back_to_what_the_author_wrote():
    original = "Buy pro\u200bmо now"
    form, offsets = text.skeleton_with_offsets(original)
    start = form.index("prorno")
    assert text.original_span(original, offsets, start, start + len("prorno")) == "pro\u200bmо"


def test_words_only_puts_one_space_between_words_in_any_script():
    form, offsets = text.skeleton_with_offsets("¡Hola, señor!  Привет…")
    spaced, kept = text.words_only(form, offsets)
    assert spaced.startswith(" hola senor ") and spaced.endswith(" ")
    assert "  " not in spaced and len(kept) == len(spaced)


@pytest.mark.parametrize("value,problem", [
    ("Ann\u202eA", "bidirectional"),
    ("Ann\u2066A", "bidirectional"),
    ("Ann\u200fA", "bidirectional"),
    ("Ann\x00", "NUL"),
    ("Ann\nSmith", "control"),
    ("\u200b", "required"),
    ("\u200b \u2060\u00ad", "required"),
    ("\u3164", "required"),  # Hangul filler: draws nothing
    ("   ", "required"),
    (42, "string"),
])
def test_names_refuse_controls_bidi_and_invisible_only_values(value, problem):
    assert problem in text.text_problem(value, 80)


def test_names_and_texts_that_people_write_pass():
    for name in ("Anne-Marie Dupont", "Zoë O'Brien", "محمد علي", "李小龍", "👩\u200d👩\u200d👧 Family"):
        assert text.text_problem(name, 80) is None
    assert text.text_problem("line one\nline two\tend", 500, kind=text.TEXT) is None
    # Right-to-left texts use the directional marks; overrides are still refused.
    assert text.text_problem("\u200fمرحبا", 500, kind=text.TEXT) is None
    assert text.text_problem("\u2067مرحبا\u2069 ok", 500, kind=text.TEXT) is None
    assert "overrides" in text.text_problem("a\u202eb", 500, kind=text.TEXT)
    assert "control" in text.text_problem("a\x07b", 500, kind=text.TEXT)


def test_check_text_strips_collects_problems_and_allows_absent_optional_values():
    problems = {}
    assert text.check_text("  Title ", "title", 10, problems) == "Title"
    assert text.check_text("x" * 11, "title", 10, problems) is None
    assert text.check_text(None, "note", 10, problems, required=False) is None
    assert text.check_text("", "note", 10, problems, required=False) == ""
    assert text.check_text("\u200b", "place", 10, problems, required=False) is None
    assert set(problems) == {"title", "place"}
