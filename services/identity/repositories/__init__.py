"""Identity's repositories, one module per kind of record, each with a SQLite and a MongoDB
adapter held to one contract (tests/unit/test_identity_repositories.py)."""
