"""Secrets that a single machine generates for itself under var/keys/ (production sets them from
the environment instead): written once, owner-only, and race-safe — two processes starting
together must agree on one secret, so the file is created with O_EXCL and the loser reads the
winner's."""
import os
import secrets


def read_or_create(path, make_bytes):
    """The bytes stored at `path`, created with `make_bytes()` (mode 0600) if the file is absent."""
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = make_bytes()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process won the race; read its secret below
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
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
