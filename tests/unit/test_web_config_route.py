"""GET /api/v1/web-config: the web app learns the map tile server from the same setting the
shell's Content-Security-Policy allows, so the maps never ask for tiles the policy would block."""
from gateway.http.app import GatewaySettings, create_app


def client(signing_key, fake_rpc, tile_origin):
    return create_app(GatewaySettings(rpc=fake_rpc, public_key=signing_key.public_key(),
                                      tile_origin=tile_origin)).test_client()


def test_the_tile_url_comes_from_the_allowed_origin_without_signing_in(signing_key, fake_rpc):
    response = client(signing_key, fake_rpc, "https://tiles.example/").get("/api/v1/web-config")
    assert response.status_code == 200
    assert response.get_json()["map"]["tile_url"] == "https://tiles.example/{z}/{x}/{y}.png"


def test_openstreetmap_by_default(signing_key, fake_rpc):
    app = create_app(GatewaySettings(rpc=fake_rpc, public_key=signing_key.public_key()))
    tile_url = app.test_client().get("/api/v1/web-config").get_json()["map"]["tile_url"]
    assert tile_url.startswith("https://tile.openstreetmap.org/")


def test_no_tile_server_means_no_tiles(signing_key, fake_rpc):
    answer = client(signing_key, fake_rpc, "").get("/api/v1/web-config").get_json()
    assert answer["map"] == {"tile_url": None, "attribution": ""}
