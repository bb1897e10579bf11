"""Sample participation inputs shared by the unit, integration and e2e suites: a survey using
every question type with one conditional question, budgets and answers."""
from datetime import datetime, timedelta, timezone


def at(hours=0, minutes=0):
    moment = datetime.now(timezone.utc) + timedelta(hours=hours, minutes=minutes)
    return moment.isoformat(timespec="seconds")


def survey(neighbourhood_ids, response_unit="person", closes_in_hours=24):
    """Every question type; `bike_why` is asked only of those who cycle."""
    return {
        "title": "Mobility in our neighbourhood",
        "translations": {"nl": "Mobiliteit in onze wijk"},
        "neighbourhood_ids": list(neighbourhood_ids),
        "response_unit": response_unit,
        "closes_at": at(hours=closes_in_hours),
        "sections": [
            {"id": "travel", "title": "How you travel", "questions": [
                {"id": "mode", "type": "single_choice", "text": "How do you usually travel?",
                 "translations": {"nl": "Hoe verplaatst u zich meestal?"},
                 "options": [{"id": "car", "label": "Car"}, {"id": "bike", "label": "Bike"},
                             {"id": "bus", "label": "Bus"}]},
                {"id": "bike_why", "type": "short_text", "text": "Why do you cycle?",
                 "show_if": {"question_id": "mode", "any_of": ["bike"]}},
                {"id": "wishes", "type": "multiple_choice", "text": "What would help?",
                 "options": [{"id": "lanes", "label": "Bike lanes"},
                             {"id": "lights", "label": "Street lights"},
                             {"id": "benches", "label": "Benches"}],
                 "max_choices": 2},
            ]},
            {"id": "opinions", "title": "Your opinion", "questions": [
                {"id": "safety", "type": "scale", "text": "How safe do you feel (1-10)?"},
                {"id": "priorities", "type": "ranking", "text": "Rank these",
                 "options": [{"id": "green", "label": "Green"}, {"id": "quiet", "label": "Quiet"},
                             {"id": "parking", "label": "Parking"}]},
                {"id": "streets", "type": "matrix", "text": "Rate these streets",
                 "rows": [{"id": "main", "label": "Main street"},
                          {"id": "park", "label": "Park lane"}],
                 "columns": [{"id": "good", "label": "Good"}, {"id": "bad", "label": "Bad"}]},
                {"id": "comment", "type": "long_text", "text": "Anything else?",
                 "required": False},
            ]},
        ],
    }


def answers(mode="car", wishes=("lanes",), safety=7, priorities=("green", "quiet"),
            streets=None, why=None, comment=None):
    given = {"mode": mode, "wishes": list(wishes), "safety": safety,
             "priorities": list(priorities),
             "streets": streets or {"main": "good", "park": "bad"}}
    if why is not None:
        given["bike_why"] = why
    if comment is not None:
        given["comment"] = comment
    return given


def budget(voting_style="knapsack", cap=100_000, ballot_unit="person", neighbourhood_id=None,
           max_projects=None, min_share=None):
    """A budget whose proposals phase is open now and whose later phases are days away (the
    tests start them early through the phase endpoint)."""
    body = {"title": "Neighbourhood budget 2027", "cap": cap, "voting_style": voting_style,
            "ballot_unit": ballot_unit,
            "schedule": {"proposals": at(minutes=-1), "review": at(hours=24),
                         "voting": at(hours=48), "results": at(hours=72)}}
    if neighbourhood_id is not None:
        body["neighbourhood_id"] = neighbourhood_id
    if max_projects is not None:
        body["max_projects"] = max_projects
    if min_share is not None:
        body["min_share"] = min_share
    return body
