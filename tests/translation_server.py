"""A LibreTranslate-compatible HTTP server for tests (POST /translate), on a free local port.

It "translates" by a small dictionary, else by tagging the text ("[de] Bonjour"), counts the
calls it receives, and can be taken down (503), made slow (answers after `delay` seconds) and
brought back, so tests see what readers see when the real provider misbehaves."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GERMAN = {"Fête des voisins": "Nachbarschaftsfest",
          "Bonjour à tous, la fête des voisins aura lieu samedi dans la cour de l'école.":
          "Hallo zusammen, das Nachbarschaftsfest findet am Samstag im Schulhof statt."}


class TranslationServer:
    def __init__(self):
        self.calls = []  # every request's JSON body
        self.down = False
        self.delay = 0.0
        self.refused_targets = set()  # answered 400, as LibreTranslate does for a pair it lacks
        self._lock = threading.Lock()
        self._release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.calls.append(body)
                    down, delay = server.down, server.delay
                if delay:
                    # Woken early by close(), so a slow test server never holds up teardown.
                    server._release.wait(delay)
                if self.path != "/translate" or down:
                    self._send(503 if down else 404, {"error": "unavailable"})
                    return
                if body.get("target") in server.refused_targets:
                    self._send(400, {"error": "%s is not supported" % body.get("target")})
                    return
                texts = body["q"] if isinstance(body["q"], list) else [body["q"]]
                translated = [server.translate(text, body.get("target")) for text in texts]
                self._send(200, {"translatedText": translated if isinstance(body["q"], list)
                                 else translated[0]})

            def _send(self, status, document):
                data = json.dumps(document).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (its timeout): what slow mode is for

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @staticmethod
    def translate(text, target):
        if target == "de" and text in GERMAN:
            return GERMAN[text]
        return "[%s] %s" % (target, text) if text else ""

    @property
    def call_count(self):
        with self._lock:
            return len(self.calls)

    def start(self):
        self._thread.start()
        return self

    def close(self):
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
