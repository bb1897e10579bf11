"""A TCP forwarder that can play "the broker is down" without touching the broker.

The machine's RabbitMQ is shared (CI, other test runs), so the broker-outage test puts this proxy
between the platform and RabbitMQ instead: `cut()` closes every forwarded connection and stops
listening (clients get "connection refused", exactly as from a stopped broker); `restore()`
listens again on the same port.

Threads, not asyncio or eventlet: the e2e suite runs unpatched, and a forwarder thread per
direction is plenty for the handful of connections a platform opens.
"""
import socket
import threading

BUFFER = 65536


class TcpProxy:
    def __init__(self, upstream_host, upstream_port, listen_host="127.0.0.1", listen_port=0):
        self.upstream = (upstream_host, upstream_port)
        self.listen_host = listen_host
        self.port = listen_port
        self._lock = threading.Lock()
        self._connections = set()  # open sockets, both sides of every forwarded connection
        self._listener = None
        self._accept_thread = None

    def start(self):
        self._listen()
        return self

    def _listen(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Rebinding right after cut() must not fail on connections lingering in TIME_WAIT.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.listen_host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        with self._lock:
            self._listener = listener
        self._accept_thread = threading.Thread(
            target=self._accept_loop, args=(listener,), name="tcp-proxy-accept", daemon=True)
        self._accept_thread.start()

    @property
    def listening(self):
        return self._listener is not None

    def _accept_loop(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # listener closed by cut() or stop()
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # cut while we were connecting
                    client.close()
                    upstream.close()
                    continue
                self._connections.update((client, upstream))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target),
                                 name="tcp-proxy-pump", daemon=True).start()

    def _pump(self, source, target):
        try:
            while True:
                data = source.recv(BUFFER)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(target)

    def _close(self, sock):
        with self._lock:
            self._connections.discard(sock)
        try:
            # shutdown() wakes the other pump thread blocked in recv() on this socket.
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()

    @property
    def connection_count(self):
        """Forwarded connections currently open (each counts once, not per side)."""
        with self._lock:
            return len(self._connections) // 2

    def cut(self):
        """Stop listening and drop every forwarded connection: the broker is gone."""
        with self._lock:
            listener, self._listener = self._listener, None
            connections = list(self._connections)
        if listener is not None:
            # shutdown() unblocks accept() in the accept thread; close() alone may not.
            try:
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        for sock in connections:
            self._close(sock)
        if self._accept_thread is not None:
            self._accept_thread.join(timeout=5)

    def restore(self):
        """Listen again on the same port: the broker is back."""
        if self._listener is None:
            self._listen()

    def stop(self):
        self.cut()
