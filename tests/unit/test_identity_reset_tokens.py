"""Password-reset tokens (both adapters): stored by hash, spent once, dead after 30 minutes, and
every other link of the person dies when one is used; the rules that make the link."""
import pytest

from servicekit.store import repository_for
from services.identity import account_links
from services.identity.repositories.reset_tokens import MongoResetTokens, SqliteResetTokens

RESET = account_links.PASSWORD_RESET


@pytest.fixture
def tokens(store):
    return repository_for(store, SqliteResetTokens, MongoResetTokens)


def test_a_token_is_spent_once(tokens):
    tokens.add("h1", "u1", RESET, expires_at=1000.0)
    assert tokens.owner("h1", RESET, 10.0) == "u1"
    assert tokens.spend("h1", RESET, 10.0) == "u1"
    assert tokens.spend("h1", RESET, 11.0) is None
    assert tokens.owner("h1", RESET, 11.0) is None


def test_an_expired_or_unknown_token_is_nobodys(tokens):
    tokens.add("h1", "u1", RESET, expires_at=1000.0)
    assert tokens.owner("h1", RESET, 1000.0) is None
    assert tokens.spend("h1", RESET, 1000.5) is None
    assert tokens.spend("h2", RESET, 10.0) is None
    assert tokens.spend("h1", "email_verification", 10.0) is None  # another purpose


def test_a_new_password_kills_the_persons_other_links(tokens):
    tokens.add("h1", "u1", RESET, expires_at=1000.0)
    tokens.add("h2", "u1", RESET, expires_at=1000.0)
    tokens.add("h3", "u2", RESET, expires_at=1000.0)
    tokens.spend_all_of("u1", RESET, 10.0)
    assert tokens.spend("h2", RESET, 11.0) is None
    assert tokens.spend("h3", RESET, 11.0) == "u2"
    tokens.forget_user("u2")
    assert tokens.owner("h3", RESET, 11.0) is None


def test_the_link_carries_a_random_token_stored_only_as_its_hash():
    raw, stored = account_links.new_token()
    other, _ = account_links.new_token()
    assert raw != other and len(raw) >= 40
    assert stored == account_links.hash_token(raw) and raw not in stored
    assert account_links.reset_link("https://q.example/", raw) == \
        "https://q.example/reset-password?token=" + raw
    # The per-address limit is keyed by a hash: a stranger's address is never stored.
    assert "@" not in account_links.address_subject("ana@example.org")
