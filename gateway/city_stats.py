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

Each service authorizes the caller itself; this module only joins.
"""
from contracts import rpc

ACTIVITY_FIELDS = ("posts", "comments", "reactions")


def city_statistics(call_async, municipality_id):
    """`call_async(method, **kwargs)` starts an RPC for the caller and returns something with
    `.result()` (RpcClient.call_async with caller, timeout and request id bound)."""
    pending = {
        "population": call_async(rpc.identity.POPULATION_STATISTICS,
                                 municipality_id=municipality_id),
        "neighbourhoods": call_async(rpc.neighbourhood.LIST_NEIGHBOURHOODS,
                                     municipality_id=municipality_id),
        "feed": call_async(rpc.feed.STATISTICS, municipality_id=municipality_id),
        "participation": call_async(rpc.participation.PARTICIPATION_STATS,
                                    municipality_id=municipality_id),
        "helpers": call_async(rpc.neighbourhood.HELPER_STATISTICS,
                              municipality_id=municipality_id),
    }
    answers = {name: call.result() for name, call in pending.items()}
    return aggregate(municipality_id, **answers)


def _activity(counts):
    counts = counts or {}
    return {field: int(counts.get(field) or 0) for field in ACTIVITY_FIELDS}


def _cell(cell):
    return {"neighbourhood_id": cell["neighbourhood_id"],
            "registered_households": int(cell.get("registered_households") or 0),
            "participating_households": cell.get("participating_households"),
            "rate": cell.get("rate"),
            "suppressed": bool(cell.get("suppressed"))}


def _skills(rows):
    totals = {}
    for row in rows or []:
        counts = totals.setdefault(row["skill"], [0, 0])
        counts[0] += int(row.get("helpers") or 0)
        counts[1] += int(row.get("volunteers") or 0)
    return [{"skill": skill, "helpers": h, "volunteers": v}
            for skill, (h, v) in sorted(totals.items())]


def aggregate(municipality_id, population, neighbourhoods, feed, participation, helpers):
    """The joined figures (pure: the five answers in, one document out)."""
    people = population.get("neighbourhoods") or {}
    activity = feed.get("neighbourhoods") or {}
    helping = {row["neighbourhood_id"]: row for row in helpers.get("neighbourhoods") or []}
    rows = []
    for neighbourhood in neighbourhoods.get("items") or []:
        figures = people.get(neighbourhood["id"]) or {}
        register = int(figures.get("register_households") or 0)
        households = int(figures.get("households") or 0)
        rows.append({
            "neighbourhood_id": neighbourhood["id"],
            "name": neighbourhood.get("name") or "",
            "state": neighbourhood.get("state") or "",
            "register_households": register,
            "households": households,
            "users": int(figures.get("users") or 0),
            "adoption_rate": round(households / register, 4) if register else 0.0,
            "activity": _activity(activity.get(neighbourhood["id"])),
            "helpers": int((helping.get(neighbourhood["id"]) or {}).get("helpers") or 0),
            "volunteers": int((helping.get(neighbourhood["id"]) or {}).get("volunteers") or 0),
        })
    weeks = feed.get("weeks") or {}
    return {
        "municipality_id": municipality_id,
        "neighbourhoods": rows,
        "weeks": [{"week": week, "activity": _activity(weeks[week])} for week in sorted(weeks)],
        "posts_by_category": {category: int(n) for category, n in
                              sorted((feed.get("categories") or {}).items())},
        "helpers_available": True,
        "helpers": sum(int(row.get("helpers") or 0) for row in helping.values()),
        "volunteers": sum(int(row.get("volunteers") or 0) for row in helping.values()),
        "helper_skills": _skills(helpers.get("skills")),
        "surveys": [{"survey_id": s["survey_id"], "status": s.get("status") or "",
                     "neighbourhoods": [_cell(c) for c in s.get("neighbourhoods") or []]}
                    for s in participation.get("surveys") or []],
        "budgets": [{"budget_id": b["budget_id"], "phase": b.get("phase") or "",
                     "neighbourhoods": [_cell(c) for c in b.get("neighbourhoods") or []]}
                    for b in participation.get("budgets") or []],
    }
