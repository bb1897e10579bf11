"""The resident web app (web/, built into web/dist) and the interactive API reference, served by
the gateway from the same origin as the API, so the browser needs no CORS and the session cookie
can be SameSite=Strict.

- `/assets/*`: Vite's content-hashed files; a changed file gets a new name, so they are cached
  for a year and never revalidated.
- the app shell (`index.html`) and the other top-level files: `no-cache`, so a deployment is
  picked up on the next load; the shell carries a strict Content-Security-Policy.
- any other GET that is not under /api/, not /healthz or /metrics and does not name a file
  answers the shell: the app's routes are real URLs (a post can be linked) that the browser's
  router resolves. An unknown /api path keeps its JSON 404.
- `/api/v1/docs`: Swagger UI (from npm, copied into web/dist/api-reference by the build, no CDN)
  over /api/v1/openapi.json, with "try it out"; the plain page of gateway.http.openapi when the
  app is not built.
"""
import mimetypes
import os

from flask import Response, jsonify, request, send_from_directory
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from gateway.http import errors as http_errors

ASSETS = "assets"
SHELL = "index.html"
API_REFERENCE = "api-reference"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Paths the shell never answers: the API and the operational endpoints keep their own 404s.
NOT_APP_PREFIXES = ("/api/", "/healthz", "/metrics")
DEFAULT_TILE_ORIGIN = "https://tile.openstreetmap.org"
BUILD_HINT = ("The web app is not built. Build it with `make run` (it runs `npm ci && npm run "
              "build` in web/; needs Node.js 20+), or by hand: cd web && npm ci && npm run build.")


def content_security_policy(tile_origin):
    """No inline script, no third-party origin but the map tiles. React sets style through the
    DOM (allowed under style-src 'self'); user text is never rendered as HTML."""
    images = "'self' data:" + (" " + tile_origin if tile_origin else "")
    return "; ".join((
        "default-src 'self'", "script-src 'self'", "style-src 'self'",
        "img-src " + images, "connect-src 'self'", "font-src 'self'",
        "manifest-src 'self'", "worker-src 'self'", "object-src 'none'", "base-uri 'none'",
        "form-action 'self'", "frame-ancestors 'none'",
    ))


# Swagger UI writes style attributes and <style> elements from its own bundle: allowed inline
# styles on this page only (no inline script, still).
API_REFERENCE_POLICY = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
    "form-action 'self'", "frame-ancestors 'none'",
))


def is_app_path(path):
    """An app route: not an API or operational path, and no file extension in its last part."""
    if path.startswith(NOT_APP_PREFIXES):
        return False
    return "." not in path.rsplit("/", 1)[-1]


class WebApp:
    def __init__(self, dist_dir, tile_origin=DEFAULT_TILE_ORIGIN):
        self.dist_dir = os.path.abspath(dist_dir) if dist_dir else None
        self.shell_policy = content_security_policy(tile_origin)

    @property
    def built(self):
        return bool(self.dist_dir) and os.path.isfile(os.path.join(self.dist_dir, SHELL))

    @property
    def has_api_reference(self):
        return self.built and os.path.isfile(
            os.path.join(self.dist_dir, API_REFERENCE, SHELL))

    def _file(self, directory, name, cache_control, policy=None):
        response = send_from_directory(directory, name, max_age=None, conditional=True)
        response.headers["Cache-Control"] = cache_control
        if policy:
            response.headers["Content-Security-Policy"] = policy
        return response

    def shell(self):
        if not self.built:
            return self.not_built()
        return self._file(self.dist_dir, SHELL, REVALIDATE, self.shell_policy)

    def not_built(self):
        if request.accept_mimetypes.accept_html and not request.accept_mimetypes.accept_json:
            return Response("<!doctype html><title>Quartier</title><p>%s</p>" % BUILD_HINT,
                            status=503, mimetype="text/html")
        response = jsonify({"error": {"code": "unavailable", "message": BUILD_HINT}})
        response.status_code = 503
        return response

    def asset(self, name):
        if not self.built:
            raise NotFound()
        directory = os.path.join(self.dist_dir, ASSETS)
        # The build gzips each asset beside itself (scripts/compress-assets.mjs): a third of the
        # bytes on a phone's connection, without compressing per request.
        packed = name + ".gz"
        if request.accept_encodings["gzip"] and os.path.isfile(
                safe_join(directory, packed) or ""):
            response = send_from_directory(directory, packed, max_age=None, conditional=True,
                                           mimetype=mimetypes.guess_type(name)[0])
            response.headers["Content-Encoding"] = "gzip"
            response.headers["Vary"] = "Accept-Encoding"
            response.headers["Cache-Control"] = IMMUTABLE
            return response
        response = self._file(directory, name, IMMUTABLE)
        response.headers["Vary"] = "Accept-Encoding"
        return response

    def api_reference(self, name=SHELL):
        directory = os.path.join(self.dist_dir, API_REFERENCE)
        return self._file(directory, name, REVALIDATE, API_REFERENCE_POLICY)

    def not_found(self, exc):
        """Werkzeug's 404: a top-level file of the build, the shell for an app route, else the
        gateway's JSON 404."""
        path = request.path
        if request.method in ("GET", "HEAD") and self.dist_dir and not path.startswith(
                NOT_APP_PREFIXES):
            name = path.lstrip("/")
            if self.built and name and "/" not in name and os.path.isfile(
                    safe_join(self.dist_dir, name) or ""):
                return self._file(self.dist_dir, name, REVALIDATE)
            if is_app_path(path):
                return self.shell()
        return http_errors.http_exception_response(exc)


def register(app, dist_dir, tile_origin=DEFAULT_TILE_ORIGIN):
    """Serve the app at / on `app` (after the API routes and error handlers are registered).
    Without a dist_dir (an API-only gateway, the route tests) nothing is added."""
    if not dist_dir:
        return None
    web = WebApp(dist_dir, tile_origin)
    app.add_url_rule("/", "web_shell", web.shell, methods=["GET"])
    app.add_url_rule("/assets/<path:name>", "web_asset", web.asset, methods=["GET"])
    app.register_error_handler(NotFound, web.not_found)
    if web.has_api_reference:
        # The reference's own files; /api/v1/docs itself answers its page instead of the plain
        # one (same URL, so existing links keep working).
        app.add_url_rule("/api/v1/docs/<path:name>", "docs_asset", web.api_reference,
                         methods=["GET"])
        app.view_functions["docs"] = web.api_reference
    return web
