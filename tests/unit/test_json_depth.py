"""The gateway's pre-parse nesting scan: brackets inside strings do not count, escapes do not end
a string early, and a body of thousands of `[` is measured without recursion."""
import json

from gateway.http import json_depth


def test_scalars_and_flat_documents():
    assert json_depth.depth(b'"text"') == 0
    assert json_depth.depth(b"42") == 0
    assert json_depth.depth(b'{"a": 1, "b": [1, 2]}') == 2


def test_brackets_inside_strings_and_escaped_quotes_do_not_count():
    assert json_depth.depth(json.dumps({"a": "[[[{{{", "b": 'say \\"[[[\\"'}).encode()) == 1
    assert json_depth.depth(b'["\\\\", [1]]') == 2


def test_the_geojson_import_is_well_within_the_limit():
    multipolygon = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                    "geometry": {"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0]]]]}}]}
    assert not json_depth.too_deep(json.dumps(multipolygon).encode())


def test_thousands_of_levels_are_measured_without_recursion():
    assert json_depth.depth(b"[" * 50000 + b"]" * 50000) == 50000
    assert json_depth.too_deep(b'{"a":' * 33 + b"1" + b"}" * 33)
    assert not json_depth.too_deep(b"[" * 32 + b"]" * 32)


def test_an_unterminated_string_does_not_hide_the_rest():
    assert json_depth.depth(b'[[["unterminated') == 3


def test_unclosed_or_mismatched_brackets_still_count():
    # The parser would recurse through them before it found the JSON malformed.
    assert json_depth.too_deep(b"[" * 5000)
    assert json_depth.too_deep(b"[" * 5000 + b"]" * 5000 + b"}")
    assert json_depth.too_deep(b'{"a":' * 40 + b"1")
    assert not json_depth.too_deep(b"[}]")
    assert not json_depth.too_deep(b"]]]]")


def test_the_limit_is_exact():
    for depth in (1, 31, 32, 33):
        document = b"[" * depth + b"]" * depth
        assert json_depth.too_deep(document) == (depth > json_depth.MAX_DEPTH)
        assert json_depth.depth(document) == depth
