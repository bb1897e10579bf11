"""What participation keeps of an erased person, and why (GDPR art. 17; the rest of the
erasure — ids replaced by a random marker, supports and registration deleted — is in the
repositories' `erase_user`). Pure functions on stored documents, used by both adapters.

- A survey response stays counted (results and participation rates must not change after
  publication) with its choices, but without the person's own words: free-text answers go.
- An initiative stays with its status, support count and the city's answer (others supported
  it and the city answered it), but its title and text, the person's words, are withdrawn.
- A budget project they proposed stays as it is if the city accepted it (it was on the ballot
  and in the results people voted on: its text is now the budget's); one never accepted loses its
  title and description.
- An incident stays with its category, place and status history (the city may still have to
  mend the street light), but without the reporter's text and description of the place.
"""
from services.participation.domain import ACCEPTED, LONG_TEXT, SHORT_TEXT, questions_of

FREE_TEXT_TYPES = (SHORT_TEXT, LONG_TEXT)


def without_free_text(survey, answers):
    """The answers minus those to free-text questions (all of them if the survey is gone: a
    response without its survey counts for nothing)."""
    if survey is None:
        return {}
    free = {q["id"] for q in questions_of(survey) if q["type"] in FREE_TEXT_TYPES}
    return {question: value for question, value in answers.items() if question not in free}


def withdrawn_initiative(initiative, replacement):
    return dict(initiative, title="", text="", proposer_id=replacement)


def withdrawn_incident(incident, replacement):
    location = dict(incident.get("location") or {}, description="")
    return dict(incident, text="", location=location, reporter_id=replacement)


def withdrawn_project(project, replacement):
    if project.get("status") == ACCEPTED:
        return dict(project, proposer_id=replacement)
    return dict(project, title="", description="", proposer_id=replacement)
