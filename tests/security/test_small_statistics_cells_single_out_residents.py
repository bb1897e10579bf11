"""The city's statistics showed a neighbourhood of 2 households, a skill with 1 helper, survey
option totals at any response count, and a hidden cell could be had back by subtracting the
visible ones from a total; the survey export gave each response's neighbourhood and exact time.

Now every count under 10 is null and named in `suppressed`, a row never hides exactly one cell
(complementary suppression), and the export gives the day and drops small neighbourhoods."""
import csv
import io
import re

import pytest

from tests import participation_samples as samples
from tests.e2e.stack import build_town, wait_until

pytestmark = pytest.mark.timeout(300)

BIG = ["a%d" % i for i in range(12)]
RESIDENTS = dict([(key, ((0, 0), "Grand-Rue", "Anna %s" % key)) for key in BIG]
                 + [("b%d" % i, ((0, 1), "Impasse Verte", "Bert %d" % i)) for i in range(2)])


@pytest.fixture(scope="module")
def town(platform):
    return build_town(platform.platform, "smallcells", 1, 2, RESIDENTS)


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def never_one_hidden(values, what):
    """A row with exactly one hidden cell gives it back: total (known) minus the others."""
    hidden = [v for v in values if v is None]
    assert len(hidden) != 1, "%s: one hidden cell among %r" % (what, values)


def test_small_cells_are_suppressed_everywhere_and_never_recoverable(town):
    small = town.cells["r0c1"]
    ok(town.api.request("PUT", "/api/v1/me/helper-profile", town.tokens["b0"],
                        json={"skills": ["plumbing"], "volunteer": True}))

    def stats():
        return ok(town.api.request("GET", "/api/v1/city/stats", town.staff))

    _, figures = wait_until(lambda: (lambda s: s if s["helper_skills"] else None)(stats()), 20)
    rows = {r["neighbourhood_id"]: r for r in figures["neighbourhoods"]}
    assert rows[small]["households"] is None and rows[small]["users"] is None
    assert {"households", "users"} <= set(rows[small]["suppressed"])
    assert rows[small]["adoption_rate"] is None
    plumbing = [s for s in figures["helper_skills"] if s["skill"] == "plumbing"]
    assert plumbing and plumbing[0]["helpers"] is None and "helpers" in plumbing[0]["suppressed"]
    for field in ("households", "users", "helpers", "volunteers"):
        never_one_hidden([r[field] for r in figures["neighbourhoods"]], field)
    never_one_hidden([r["helpers"] for r in figures["neighbourhoods"]] + [figures["helpers"]],
                     "helpers and their total")
    for survey in figures["surveys"]:
        never_one_hidden([c["participating_households"] for c in survey["neighbourhoods"]],
                         "participation")
        assert all(c["registered_households"] is None or c["registered_households"] >= 10
                   for c in survey["neighbourhoods"])

    # A survey answered 5 times: no option total shows.
    survey = ok(town.api.request("POST", "/api/v1/city/surveys", town.staff,
                                 json=samples.survey([town.cells["r0c0"], small])), 201)
    for key in BIG[:4] + ["b1"]:
        ok(town.api.request("POST", "/api/v1/surveys/%s/responses" % survey["id"],
                            town.tokens[key], json={"answers": samples.answers()}), 201)
    results = ok(town.api.request("GET", "/api/v1/city/surveys/%s/results" % survey["id"],
                                  town.staff))
    for question in results["questions"]:
        counts = [o.get("count", o.get("ranked")) for o in question.get("options", [])] \
            + [v["count"] for v in question.get("values", [])] \
            + [c["count"] for r in question.get("rows", []) for c in r["columns"]]
        assert all(c is None or c == 0 for c in counts), question
        never_one_hidden(counts, question["question_id"])
        if question["type"] == "scale":
            assert question["mean"] is None

    # The export: the day only, and no neighbourhood where fewer than 10 answered.
    export = town.api.request("GET", "/api/v1/city/surveys/%s/export.csv" % survey["id"],
                              town.staff)
    assert export.status_code == 200, export.text
    exported = list(csv.DictReader(io.StringIO(export.text)))
    assert len(exported) == 5
    for row in exported:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["submitted_on"]), row
        assert row["neighbourhood_id"] == "", row
        assert "submitted_at" not in row
