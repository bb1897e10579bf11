"""Small-cell suppression: the one rule every statistic and export of the platform applies
before a count leaves the service that owns it.

A count of fewer than `threshold` (default 10) households, people or items singles someone out
("the 2 households of this street", "the one helper who speaks Arabic"), so it is published as
null and named as suppressed. Hiding the small cell is not enough when the row's total is known
(published, or derivable from another breakdown of the same figure): total minus the visible
cells gives it back. So every row is protected as if its total were known:

- primary suppression: every cell with 0 < value < threshold is hidden (a zero singles nobody
  out and stays visible);
- complementary suppression: when exactly one cell of a row is hidden, the smallest other cell
  is hidden too. Then at least two cells are hidden, their sum (known from the total) is at least
  1, and each of them can be anything from 0 to that sum: no hidden cell follows by subtraction;
- a row with a single cell cannot hide it behind another: its total is hidden with it;
- the total itself is a cell: hidden when it is small.

Pure functions, no I/O: services call them in their statistics RPCs (authorization and
suppression where the data lives), so HTTP and gRPC get the same suppressed figures.
"""
DEFAULT_THRESHOLD = 10
# A municipality may be stricter than the platform, never laxer.
MAX_THRESHOLD = 1000


def threshold(value=None):
    """The threshold to apply: a municipality's setting when it is a valid, stricter one, the
    platform's default otherwise (a caller can never lower it)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return DEFAULT_THRESHOLD
    return min(max(value, DEFAULT_THRESHOLD), MAX_THRESHOLD)


def is_small(value, limit=DEFAULT_THRESHOLD):
    return value is not None and 0 < value < limit


def hidden_cells(cells, limit=DEFAULT_THRESHOLD, also=()):
    """The keys to hide in one row `{key: count}` (primary and complementary suppression);
    `also`: keys hidden anyway (e.g. because another figure of theirs is)."""
    hidden = {key for key, value in cells.items() if is_small(value, limit)}
    hidden.update(key for key in also if key in cells)
    if len(hidden) == 1:
        others = sorted((value, str(key), key) for key, value in cells.items()
                        if key not in hidden)
        if others:
            hidden.add(others[0][2])
    return hidden


def suppress_row(cells, limit=DEFAULT_THRESHOLD, total=None):
    """One row protected: (published cells with None where hidden, hidden keys, total or None).

    The total is hidden when it is small, or when it would give away the row's only cell."""
    hidden = hidden_cells(cells, limit)
    published = {key: None if key in hidden else value for key, value in cells.items()}
    if total is not None and (is_small(total, limit) or (hidden and len(hidden) < 2)):
        total = None
    return published, hidden, total


def suppress_column(rows, field, limit=DEFAULT_THRESHOLD, key="id"):
    """Protect one figure across a list of dicts (e.g. households per neighbourhood): `field`
    becomes None where hidden and the field's name joins the row's `suppressed` list. Returns
    the set of hidden row keys."""
    cells = {row[key]: row.get(field) or 0 for row in rows}
    _, hidden, _ = suppress_row(cells, limit)
    for row in rows:
        if row[key] in hidden:
            hide(row, field)
    return hidden


def hide(row, *fields):
    """Null `fields` of a row and name them in its `suppressed` list (once each, in order)."""
    named = row.setdefault("suppressed", [])
    for field in fields:
        row[field] = None
        if field not in named:
            named.append(field)
    return row
