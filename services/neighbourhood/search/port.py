"""The port every helper-search adapter implements.

Documents are services.neighbourhood.helpers.index_document(profile): the user id is the document
id, so an upsert replaces and a redelivered event leaves one document. Results are ranked by
relevance (skill labels above free text), ties by user id; a page continues after the
(score, user_id) of the last result seen, a range, never an offset. With no text every matching
helper scores alike and the order is by user id."""
from dataclasses import dataclass
from typing import Optional, Protocol

# How deep a ranked result list goes: pages beyond the best 500 matches are not served (narrow the
# query instead). A neighbourhood and its followed ones hold a few hundred helpers at most.
MAX_RANKED = 500


@dataclass(frozen=True)
class SearchQuery:
    neighbourhood_ids: list
    text: str = ""
    skill: Optional[str] = None
    language: Optional[str] = None
    volunteer: Optional[bool] = None
    after: Optional[tuple] = None  # (score, user_id) of the last result seen
    limit: int = 20
    municipality_id: Optional[str] = None


@dataclass
class SearchHit:
    user_id: str
    score: float


class HelperIndex(Protocol):
    """What every adapter offers (structural: adapters do not inherit from it)."""

    def upsert(self, documents):
        """Add or replace documents (by user id); searchable when this returns."""

    def remove(self, user_ids):
        """Remove documents by user id (absent ones are fine); gone when this returns."""

    def clear(self):
        """Remove every document."""

    def purge(self, documents):
        """Make removals final in the engine's files (an erasure): removed documents, which
        engines only mark as deleted, are physically gone when this returns. `documents` is an
        iterable of every document that should stay, for an engine that must rewrite itself."""

    def count(self):
        """How many documents the index holds."""

    def search(self, query):
        """[SearchHit] after query.after, at most query.limit of them."""

    def ping(self):
        """True when the engine answers."""


def page_after(hits, after, limit):
    """Hits sorted by (score desc, user id) strictly after `after`, at most `limit`. Scores are
    rounded so a score that travelled through a cursor compares equal to itself."""
    ordered = sorted(((round(h.score, 6), h.user_id) for h in hits), key=lambda p: (-p[0], p[1]))
    if after is not None:
        score, user_id = round(after[0], 6), after[1]
        ordered = [p for p in ordered if (-p[0], p[1]) > (-score, user_id)]
    return [SearchHit(user_id, score) for score, user_id in ordered[:limit]]
