"""The gateway serving the built web app (gateway/http/web_app.py) from a fake dist directory:
cache headers, the shell's Content-Security-Policy, the SPA fallback, the API's JSON 404 kept."""
import gzip

import pytest

from contracts import errors
from gateway.http.app import GatewaySettings, create_app

SHELL = "<!doctype html><title>Quartier</title><script type=module src=/assets/app-1a2b.js>"


@pytest.fixture
def dist(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(SHELL)
    (tmp_path / "assets" / "app-1a2b.js").write_text("console.log(1)")
    (tmp_path / "assets" / "app-1a2b.js.gz").write_bytes(gzip.compress(b"console.log(1)"))
    (tmp_path / "manifest.webmanifest").write_text("{}")
    reference = tmp_path / "api-reference"
    reference.mkdir()
    (reference / "index.html").write_text("<!doctype html><title>API reference</title>")
    (reference / "init.js").write_text("SwaggerUIBundle({})")
    return tmp_path


def app_client(signing_key, fake_rpc, dist_dir, tile_origin="https://tiles.example"):
    return create_app(GatewaySettings(rpc=fake_rpc, public_key=signing_key.public_key(),
                                      web_dist=str(dist_dir) if dist_dir else None,
                                      tile_origin=tile_origin)).test_client()


@pytest.fixture
def web(signing_key, fake_rpc, dist):
    return app_client(signing_key, fake_rpc, dist)


def test_the_shell_is_uncached_with_a_strict_policy(web):
    response = web.get("/")
    assert response.status_code == 200 and SHELL in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-cache"
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "img-src 'self' data: https://tiles.example;" in policy


def test_hashed_assets_are_cached_for_a_year(web):
    response = web.get("/assets/app-1a2b.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert web.get("/assets/missing-9f9f.js").status_code == 404


def test_browsers_that_accept_gzip_get_the_compressed_asset(web):
    packed = web.get("/assets/app-1a2b.js", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.mimetype == "text/javascript" and packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.get_data()) == b"console.log(1)"
    assert packed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = web.get("/assets/app-1a2b.js", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.get_data() == b"console.log(1)"


def test_app_routes_answer_the_shell(web):
    for path in ("/feed", "/posts/p1", "/register"):
        response = web.get(path + "?code=ABC")
        assert response.status_code == 200, path
        assert SHELL in response.get_data(as_text=True)
        assert "Content-Security-Policy" in response.headers


def test_top_level_build_files_are_served_and_other_files_are_not_the_shell(web):
    manifest = web.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.headers["Cache-Control"] == "no-cache"
    assert web.get("/robots.txt").status_code == 404
    assert web.get("/../gateway/http/app.py").status_code == 404


def test_the_api_keeps_its_json_404_and_405(web):
    response = web.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json["error"]["code"] == errors.NOT_FOUND
    assert web.post("/feed").status_code == 404
    assert web.delete("/api/v1/municipalities/m1").status_code == 405
    assert web.get("/healthz/x").status_code == 404


def test_the_api_reference_is_the_bundled_swagger_ui(web):
    page = web.get("/api/v1/docs")
    assert page.status_code == 200 and "API reference" in page.get_data(as_text=True)
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    assert web.get("/api/v1/docs/init.js").status_code == 200
    assert web.get("/api/v1/openapi.json").status_code == 200


def test_without_a_build_the_root_says_how_to_build_it(signing_key, fake_rpc, tmp_path):
    web = app_client(signing_key, fake_rpc, tmp_path / "absent")
    response = web.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 503 and "npm run build" in response.json["error"]["message"]
    page = web.get("/feed", headers={"Accept": "text/html"})
    assert page.status_code == 503 and "npm ci" in page.get_data(as_text=True)
    assert web.get("/api/v1/nothing-here").json["error"]["code"] == errors.NOT_FOUND
    # The plain API page stays when the interactive one is not built.
    assert "/api/v1/municipalities/{municipality_id}" in web.get("/api/v1/docs").get_data(
        as_text=True)
