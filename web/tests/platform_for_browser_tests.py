"""`python web/tests/platform_for_browser_tests.py OUT.json`: the Playwright tests' platform.

Starts the whole platform the way the e2e tests do (tests/e2e/stack.py: its own RabbitMQ vhost,
free ports, a temporary var dir, the demo seed), writes where it is and the demo credentials to
OUT.json, and runs until its standard input closes or it gets SIGTERM; then it stops every
process and deletes the vhost. Run from the repository root (Playwright's globalSetup does)."""
import json
import os
import signal
import sys
import tempfile
import threading

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from tests.e2e import stack  # noqa: E402
from tests.translation_server import TranslationServer  # noqa: E402


def residents_read_english(running):
    """The demo residents registered in French; the browser tests find controls by their English
    names, so their profiles say English (the tests that switch language switch it back)."""
    api = stack.Api(running.platform.http_url)
    for resident in running.credentials["residents"]:
        answer = api.request("POST", "/api/v1/auth/login", json={
            "email": resident["email"], "password": resident["password"]})
        answer.raise_for_status()
        api.request("PATCH", "/api/v1/me", answer.json()["access_token"],
                    json={"language": "en"}).raise_for_status()


def main(out_path):
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # The parent holds our stdin: when it dies without a word, so does this platform.
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    admin = stack.RabbitAdmin()
    if not admin.answers():
        print("the RabbitMQ management API does not answer on %s (make broker)" % admin.base,
              file=sys.stderr)
        return 1
    # Machine translation through a LibreTranslate-compatible test server (no network): it
    # answers "[en] <text>" for text it has no dictionary entry for.
    with tempfile.TemporaryDirectory(prefix="quartier-web-") as var_dir, \
            TranslationServer() as translator:
        provider = {"TRANSLATION_PROVIDER": "libretranslate", "LIBRETRANSLATE_URL": translator.url}
        # No network here: no tile server, and the maps draw their shapes on a plain background.
        provider["MAP_TILE_ORIGIN"] = ""
        with stack.running_platform(admin, var_dir, "web", extra_env=provider) as running:
            residents_read_english(running)
            document = dict(running.credentials, url=running.platform.http_url,
                            var_dir=var_dir)
            with open(out_path + ".tmp", "w") as handle:
                json.dump(document, handle)
            os.replace(out_path + ".tmp", out_path)
            print("browser-test platform at %s" % running.platform.http_url, flush=True)
            stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
