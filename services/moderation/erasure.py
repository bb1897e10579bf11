"""What moderation keeps of an erased person (GDPR art. 17 with art. 17(3)(e): decisions must stay
accountable). Pure functions on stored documents, used by both store adapters.

Kept, pseudonymised: cases about their content (status, decision, reasons the rules or the
moderator gave, report counts) and the audit entries, with the person's id replaced everywhere by
one pseudonym drawn for the erasure (so a moderator still sees that several decisions concerned
one account, and no one can go back to who it was). Removed: every text they wrote — the screened
copies of their content, the text in cases about it, their appeals' and their decisions' reasons
— and nothing names them any more."""
import re
import uuid

PSEUDONYM_PREFIX = "erased-"
# Screening reasons quote the text they read ("a price with sales words ("35 €", "promo")",
# "reads as advertising (0.97): 'estimation gratuite'"): those quotes are the author's words.
_QUOTED_WORDS = re.compile(r"""\s*:?\s*\(?\s*(?:(?:"[^"]*"|'[^']*')\s*,?\s*)+\)?""")


def new_pseudonym():
    return PSEUDONYM_PREFIX + uuid.uuid4().hex


def pseudonymised_case(document, user_id, pseudonym):
    """A case document (Case.to_dict()) with the person's id and words gone."""
    document = dict(document)
    if document.get("author_id") == user_id:
        document["author_id"] = pseudonym
        document["text"] = ""
        document["reasons"] = [without_quoted_words(r) for r in document.get("reasons") or ()]
    for key in ("decision", "appeal"):
        record = document.get(key)
        if isinstance(record, dict):
            record = dict(record)
            for who in ("by", "reviewed_by"):
                if record.get(who) == user_id:
                    record[who] = pseudonym
                    if key == "appeal" and who == "by":
                        record["reason"] = ""  # the appeal is the author's own words
            document[key] = record
    return document


def pseudonymised_audit(entry, user_id, pseudonym):
    """An audit entry with the person's id replaced; what they wrote themselves (an appeal) goes."""
    entry = dict(entry)
    if entry.get("author_id") == user_id:
        entry["author_id"] = pseudonym
        if entry.get("actor") == "system":  # screening's reasons quote what they read
            entry["reason"] = without_quoted_words(entry.get("reason") or "")
    if entry.get("actor") == user_id:
        entry["actor"] = pseudonym
        if entry.get("action") == "appeal":
            entry["reason"] = ""
    for key, value in list(entry.items()):
        if value == user_id:
            entry[key] = pseudonym
    return entry


def without_quoted_words(reason):
    """A screening reason without the words it quoted from the text: what made the decision
    stays readable ("a price together with sales words"), the author's words go."""
    return _QUOTED_WORDS.sub("", reason).strip()


def pseudonymised_household(household_id, user_id, pseudonym):
    """A report counts households; a reporter without a household is counted as "user:<id>"."""
    return "user:" + pseudonym if household_id == "user:" + user_id else household_id
