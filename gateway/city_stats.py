"""The city's statistics: one aggregation behind both `GET /api/v1/city/stats` (staff) and the
gRPC `GetNeighbourhoodStats` (municipal systems), so the two can never disagree.

It joins counts owned by four services, asked concurrently:
- identity: households of the address register, households with accounts and resident accounts
  per neighbourhood (adoption = households with accounts / register households);
- neighbourhood: the neighbourhoods' names and states;
- feed: posts, comments and thanks per neighbourhood, per ISO week and posts per category;
- neighbourhood: helpers and volunteers per neighbourhood and per catalogue skill;
- participation: households taking part per neighbourhood in each survey and budget.
Counts only: no title, body, comment or answer text of anyone ever enters the result (survey and
budget titles are left out too; their results are a call away).

Each service authorizes the caller itself and hides its own small cells (servicekit.disclosure,
under the municipality's threshold, which participation keeps and this module passes on): a
hidden figure is null and named in the `suppressed` list beside it. This module only joins, and
derives nothing from a hidden figure (an adoption rate over hidden households is hidden too).
"""
from contracts import rpc

ACTIVITY_FIELDS = ("posts", "comments", "reactions")


def city_statistics(call_async, municipality_id):
    """`call_async(method, **kwargs)` starts an RPC for the caller and returns something with
    `.result()` (RpcClient.call_async with caller, timeout and request id bound)."""
    limit = call_async(rpc.participation.STATISTICS_SETTINGS,
                       municipality_id=municipality_id).result()["small_cell_threshold"]
    counted = dict(municipality_id=municipality_id, small_cell=limit)
    pending = {
        "population": call_async(rpc.identity.POPULATION_STATISTICS, **counted),
        "neighbourhoods": call_async(rpc.neighbourhood.LIST_NEIGHBOURHOODS,
                                     municipality_id=municipality_id),
        "feed": call_async(rpc.feed.STATISTICS, **counted),
        "participation": call_async(rpc.participation.PARTICIPATION_STATS, **counted),
        "helpers": call_async(rpc.neighbourhood.HELPER_STATISTICS, **counted),
    }
    answers = {name: call.result() for name, call in pending.items()}
    return dict(aggregate(municipality_id, **answers), small_cell_threshold=limit)


def _count(value):
    return None if value is None else int(value)


def _activity(counts):
    counts = counts or {}
    activity = {field: _count(counts.get(field, 0)) for field in ACTIVITY_FIELDS}
    activity["suppressed"] = [f for f in counts.get("suppressed") or () if f in ACTIVITY_FIELDS]
    return activity


def _cell(cell):
    return {"neighbourhood_id": cell["neighbourhood_id"],
            "registered_households": _count(cell.get("registered_households")),
            "participating_households": cell.get("participating_households"),
            "rate": cell.get("rate"),
            "suppressed": bool(cell.get("suppressed"))}


def _skills(rows):
    return [{"skill": row["skill"], "helpers": _count(row.get("helpers")),
             "volunteers": _count(row.get("volunteers")),
             "suppressed": list(row.get("suppressed") or ())}
            for row in sorted(rows or [], key=lambda r: r["skill"])]


def _neighbourhood_row(neighbourhood, figures, activity, helping):
    register = int(figures.get("register_households") or 0)
    households = _count(figures.get("households", 0))
    suppressed = list(figures.get("suppressed") or ())
    if households is None:
        adoption = None
        suppressed.append("adoption_rate")
    else:
        adoption = round(households / register, 4) if register else 0.0
    suppressed += [f for f in helping.get("suppressed") or () if f not in suppressed]
    return {
        "neighbourhood_id": neighbourhood["id"],
        "name": neighbourhood.get("name") or "",
        "state": neighbourhood.get("state") or "",
        "register_households": register,
        "households": households,
        "users": _count(figures.get("users", 0)),
        "adoption_rate": adoption,
        "activity": _activity(activity),
        "helpers": _count(helping.get("helpers", 0)),
        "volunteers": _count(helping.get("volunteers", 0)),
        "suppressed": suppressed,
    }


def aggregate(municipality_id, population, neighbourhoods, feed, participation, helpers):
    """The joined figures (pure: the five answers in, one document out)."""
    people = population.get("neighbourhoods") or {}
    activity = feed.get("neighbourhoods") or {}
    helping = {row["neighbourhood_id"]: row for row in helpers.get("neighbourhoods") or []}
    rows = [_neighbourhood_row(n, people.get(n["id"]) or {}, activity.get(n["id"]),
                               helping.get(n["id"]) or {})
            for n in neighbourhoods.get("items") or []]
    weeks = feed.get("weeks") or {}
    return {
        "municipality_id": municipality_id,
        "neighbourhoods": rows,
        "weeks": [{"week": week, "activity": _activity(weeks[week])} for week in sorted(weeks)],
        "posts_by_category": {category: _count(n) for category, n in
                              sorted((feed.get("categories") or {}).items())},
        "categories_suppressed": sorted(feed.get("categories_suppressed") or ()),
        "helpers_available": True,
        "helpers": _count(helpers.get("helpers", 0)),
        "volunteers": _count(helpers.get("volunteers", 0)),
        "suppressed": list(helpers.get("suppressed") or ()),
        "helper_skills": _skills(helpers.get("skills")),
        "surveys": [{"survey_id": s["survey_id"], "status": s.get("status") or "",
                     "neighbourhoods": [_cell(c) for c in s.get("neighbourhoods") or []]}
                    for s in participation.get("surveys") or []],
        "budgets": [{"budget_id": b["budget_id"], "phase": b.get("phase") or "",
                     "neighbourhoods": [_cell(c) for c in b.get("neighbourhoods") or []]}
                    for b in participation.get("budgets") or []],
    }
