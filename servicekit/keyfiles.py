"""Secrets that a single machine generates for itself under var/keys/ (production sets them from
the environment instead): written once, owner-only, and race-safe — two processes starting
together must agree on one secret, and none may read a file half written: the secret is written
to a private temporary file and hard-linked into place, which succeeds for exactly one process and
makes the file appear whole; the others read the winner's."""
import os
import secrets
import tempfile


def read_or_create(path, make_bytes):
    """The bytes stored at `path`, created with `make_bytes()` (mode 0600) if the file is absent."""
    if not os.path.exists(path):
        directory = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True)
        fd, draft = tempfile.mkstemp(dir=directory, prefix=".draft-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(make_bytes())
            try:
                os.link(draft, path)
            except FileExistsError:
                pass  # another process won the race; read its secret below
        finally:
            os.unlink(draft)
    with open(path, "rb") as handle:
        return handle.read()


def random_hex_secret(path):
    """32 random bytes as hex, generated once into `path`: an HMAC key as ASCII bytes."""
    return read_or_create(path, lambda: secrets.token_hex(32).encode("ascii")).strip()


def configured_or_generated_secret(config, name, var_directory, filename):
    """An HMAC key: `name` from the configuration (the environment) in production, else a random
    secret generated once into var/keys/`filename` on this machine."""
    configured = config.get(name)
    if configured:
        return str(configured).encode("utf-8")
    return random_hex_secret(os.path.join(var_directory, filename))
