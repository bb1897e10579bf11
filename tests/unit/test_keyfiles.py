"""servicekit.keyfiles: a secret generated on one machine is written once, owner-only, and every
process starting at the same time ends up with the same one."""
import os
import stat
import threading

from servicekit import keyfiles


def test_a_secret_is_created_once_owner_only_and_read_back(tmp_path):
    path = str(tmp_path / "keys" / "k")
    first = keyfiles.random_hex_secret(path)
    assert len(first) == 64 and first == keyfiles.random_hex_secret(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_processes_racing_to_create_it_agree_on_one(tmp_path):
    path = str(tmp_path / "keys" / "raced")
    seen, start = [], threading.Barrier(8)

    def create():
        start.wait()
        seen.append(keyfiles.read_or_create(path, lambda: os.urandom(16)))

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 1


def test_a_configured_secret_wins_and_nothing_is_written(tmp_path):
    secret = keyfiles.configured_or_generated_secret(
        {"X_SECRET": "from-the-environment"}, "X_SECRET", str(tmp_path), "keys/x")
    assert secret == b"from-the-environment" and not os.path.exists(tmp_path / "keys")
