"""The small-cell rule (servicekit/disclosure.py): small cells are hidden, and no hidden cell
can be recovered by subtraction from its row's total and the visible cells."""
from hypothesis import given, settings
from hypothesis import strategies as st

from servicekit import disclosure

ROWS = st.dictionaries(st.text("abcdefgh", min_size=1, max_size=2),
                       st.integers(min_value=0, max_value=40), min_size=1, max_size=6)
LIMITS = st.sampled_from([10, 12, 25])


def possible_values(published, total, key, bound=60):
    """Every value the hidden cell `key` can take, given the published cells and the row total
    (non-negative integers, the hidden cells summing to what the visible ones leave; searched
    exhaustively, the hidden cells bounded by what is left)."""
    hidden = [k for k, v in published.items() if v is None]
    rest = total - sum(v for v in published.values() if v is not None)
    values = set()
    others = [k for k in hidden if k != key]
    for value in range(min(rest, bound) + 1):
        # the other hidden cells must take up rest - value, which non-negative integers can
        # do exactly when there is at least one of them (or nothing is left)
        if others or value == rest:
            values.add(value)
    return values


def test_cells_under_the_threshold_are_hidden_zeros_and_large_cells_are_not():
    published, hidden, total = disclosure.suppress_row(
        {"a": 2, "b": 0, "c": 15, "d": 9, "e": 40}, total=66)

    assert published == {"a": None, "b": 0, "c": 15, "d": None, "e": 40}
    assert hidden == {"a", "d"} and total == 66


def test_a_single_small_cell_takes_the_next_smallest_with_it():
    published, hidden, total = disclosure.suppress_row({"a": 2, "b": 30, "c": 12}, total=44)

    # 44 - 30 - 12 would give 2 back; with c hidden too, a is anything from 0 to 14.
    assert published == {"a": None, "b": 30, "c": None} and total == 44


def test_a_row_of_one_small_cell_hides_its_total_and_a_small_total_is_hidden():
    assert disclosure.suppress_row({"a": 3}, total=3) == ({"a": None}, {"a"}, None)
    assert disclosure.suppress_row({"a": 0, "b": 0}, total=0)[2] == 0
    assert disclosure.suppress_row({"a": 4, "b": 5}, total=9) == (
        {"a": None, "b": None}, {"a", "b"}, None)


def test_the_threshold_can_be_made_stricter_never_laxer():
    assert disclosure.threshold() == 10
    assert disclosure.threshold(25) == 25
    assert disclosure.threshold(3) == 10
    assert disclosure.threshold("3") == disclosure.threshold(True) == 10
    assert disclosure.threshold(10 ** 9) == disclosure.MAX_THRESHOLD


def test_a_column_of_rows_names_what_it_hid():
    rows = [{"id": "n1", "households": 2, "users": 3}, {"id": "n2", "households": 50},
            {"id": "n3", "households": 11}]

    hidden = disclosure.suppress_column(rows, "households")

    assert hidden == {"n1", "n3"}
    assert rows[0] == {"id": "n1", "households": None, "users": 3,
                       "suppressed": ["households"]}
    assert rows[1] == {"id": "n2", "households": 50}
    disclosure.hide(rows[0], "users", "households")
    assert rows[0]["suppressed"] == ["households", "users"] and rows[0]["users"] is None


@settings(max_examples=300, deadline=None)
@given(ROWS, LIMITS)
def test_no_hidden_cell_follows_from_the_total_and_the_visible_cells(cells, limit):
    total = sum(cells.values())
    published, hidden, published_total = disclosure.suppress_row(cells, limit, total)

    assert not any(disclosure.is_small(v, limit) for v in published.values() if v is not None)
    assert published_total is None or not disclosure.is_small(published_total, limit)
    assert {k for k, v in published.items() if v is None} == hidden
    assert all(published[k] == v for k, v in cells.items() if k not in hidden)
    # Even an attacker who knows the total from elsewhere cannot pin a hidden cell, unless the
    # row has a single cell, whose total is then hidden too.
    for key in hidden:
        if len(cells) == 1:
            assert published_total is None
        else:
            assert len(possible_values(published, total, key)) >= 2, (cells, published)
