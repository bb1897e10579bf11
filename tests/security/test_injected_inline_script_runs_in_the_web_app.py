"""Abuse: text that reaches the web app's page as markup (a post body rendered as HTML, a poisoned
dependency adding an inline <script>, a third-party script host) runs script with the resident's
session.

Defence (gateway/http/web_app.py): the app shell and every app route carry a strict
Content-Security-Policy — scripts only from the gateway's own origin, no inline script, no other
origin but the configured map tiles (images only), no framing; the shell itself has no inline
script; the app renders user text as text. Hashed assets are immutable, the shell revalidated."""
import re

from tests.e2e.stack import Api


def test_the_app_shell_forbids_inline_and_third_party_script(healthy_platform):
    api = Api(healthy_platform.platform.http_url)
    for path in ("/", "/feed", "/posts/p-1?x=<script>"):
        shell = api.request("GET", path)
        assert shell.status_code == 200, (
            "%s: %s (build the web app: make web)" % (path, shell.text[:200]))
        policy = shell.headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["default-src"] == "'self'"
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert shell.headers["Cache-Control"] == "no-cache"
        # Every script of the shell is a file of the same origin.
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", shell.text, re.S)
        assert scripts and all('src="/assets/' in attrs and not body.strip()
                               for attrs, body in scripts)


def test_hashed_assets_are_immutable_and_unknown_api_paths_stay_json(healthy_platform):
    api = Api(healthy_platform.platform.http_url)
    shell = api.request("GET", "/").text
    asset = re.search(r'src="(/assets/[^"]+\.js)"', shell).group(1)
    response = api.request("GET", asset)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    missing = api.request("GET", "/api/v1/no-such-route")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
