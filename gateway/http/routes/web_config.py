"""What the web app needs to know of this deployment before anyone signs in: the map tile server
(`MAP_TILE_ORIGIN`, the one origin the shell's Content-Security-Policy allows images from), so
the two never disagree."""
from flask import current_app

from gateway.http.api import api

OSM_ATTRIBUTION = "© OpenStreetMap contributors"


def tile_url_template(origin):
    """The slippy-map URL of a tile server at `origin` (OpenStreetMap's layout); None without
    one, and the maps then draw their shapes and points on a plain background."""
    return origin.rstrip("/") + "/{z}/{x}/{y}.png" if origin else None


@api.operation(
    "GET", "/api/v1/web-config", tag="platform", auth=False,
    summary="The web app's deployment settings (map tiles)",
    response={"type": "object", "required": ["map"], "properties": {"map": {
        "type": "object", "required": ["tile_url"], "properties": {
            "tile_url": {"type": ["string", "null"],
                         "description": "URL template with {z}/{x}/{y}; null: no tiles"},
            "attribution": {"type": "string"}}}}},
)
def web_config(ctx):
    url = tile_url_template(current_app.config["QUARTIER"].tile_origin)
    return {"map": {"tile_url": url, "attribution": OSM_ATTRIBUTION if url else ""}}
