"""Thread-safe RPC client speaking nameko's AMQP wire protocol, for the processes that are not
nameko services (the Flask gateway, the gRPC server, CLIs, benchmarks).

Why not nameko's ClusterRpcProxy: it is single-threaded (shared across threads it hangs) and one per
request costs a connection and a reply queue. This client owns one pika connection on its own I/O
thread, one exclusive reply queue, and a map of correlation id -> Future; any number of threads
call it concurrently.

Guarantees:
- every call has a timeout (-> DomainError(TIMEOUT)); the request message carries the same TTL, so
  a request nobody picked up in time is dropped by the broker instead of running after the caller
  gave up;
- broker unreachable -> DomainError(UNAVAILABLE) at once (no waiting for a timeout); in-flight calls
  fail the moment the connection drops; the I/O thread reconnects with backoff on its own;
- a method of a service that was never started (no queue bound) -> UNAVAILABLE at once, through a
  mandatory publish that the broker returns.

Wire protocol (nameko 2.14): publish to topic exchange `nameko-rpc` with routing key
`<service>.<method>`, JSON body `{"args": [], "kwargs": {}}`, `reply_to` = a routing key bound to our
reply queue on the same exchange, `correlation_id`; the reply body is `{"result": .., "error": ..}`
where error is `{"exc_path", "exc_type", "exc_args", "value"}`.
"""
import functools
import json
import logging
import threading
import time
import uuid
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

import pika
import pika.exceptions

from contracts import errors
from contracts.errors import DomainError
from servicekit import metrics, request_context

log = logging.getLogger(__name__)

RPC_EXCHANGE = "nameko-rpc"
DOMAIN_ERROR_PATH = "contracts.errors.DomainError"
DEFAULT_TIMEOUT = 5.0


def _unavailable(message):
    return DomainError(errors.UNAVAILABLE, message)


def error_from_reply(method, error):
    """Turn a nameko error reply into the DomainError the caller should see. Domain errors keep
    their code and message; anything else is an internal error whose details stay in our logs."""
    if error.get("exc_path") == DOMAIN_ERROR_PATH:
        args = list(error.get("exc_args") or [])
        code = args[0] if args and args[0] in errors.STATUS else errors.INTERNAL
        message = args[1] if len(args) > 1 else error.get("value", "")
        details = args[2] if len(args) > 2 else None
        return DomainError(code, message, details)
    log.error("rpc %s failed: %s %s", method, error.get("exc_path"), error.get("value"))
    return DomainError(errors.INTERNAL, "internal error in %s" % method.split(".")[0])


class RpcClient:
    def __init__(self, amqp_uri, default_timeout=DEFAULT_TIMEOUT, client_name="gateway",
                 exchange=RPC_EXCHANGE, heartbeat=10, reconnect_delay=(0.2, 2.0)):
        self.amqp_uri = amqp_uri
        self.default_timeout = default_timeout
        self.exchange = exchange
        self.reply_to = "rpc.reply-%s-%s" % (client_name, uuid.uuid4().hex)
        self._heartbeat = heartbeat
        self._reconnect_delay = reconnect_delay
        self._pending = {}  # correlation id -> (Future, routing key)
        self._pending_lock = threading.Lock()
        self._connection = None
        self._channel = None
        self._connected = threading.Event()
        self._stopping = threading.Event()
        self._thread = None
        self.last_error = None

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self, wait=3.0):
        """Start the I/O thread; wait up to `wait` seconds for a first connection. A broker that is
        down is not fatal: calls answer UNAVAILABLE until the connection comes up."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="rpc-io", daemon=True)
            self._thread.start()
        self._connected.wait(wait)
        return self

    def stop(self):
        self._stopping.set()
        connection = self._connection
        if connection is not None:
            try:
                connection.add_callback_threadsafe(lambda: None)
            except Exception:  # connection already gone
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._fail_all(_unavailable("rpc client stopped"))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def connected(self):
        return self._connected.is_set()

    # -- calls -----------------------------------------------------------------------------------

    def call(self, method, timeout=None, request_id=None, **kwargs):
        """Call `method` (a contracts.rpc.RpcMethod) and return its result, or raise DomainError."""
        return self.call_async(method, timeout=timeout, request_id=request_id, **kwargs).result()

    def call_async(self, method, timeout=None, request_id=None, **kwargs):
        timeout = self.default_timeout if timeout is None else timeout
        routing_key = method.routing_key
        future = Future()
        started = time.perf_counter()
        pending = PendingCall(self, routing_key, future, started, timeout)
        if not self._connected.is_set():
            pending._fail(_unavailable("message broker unreachable"))
            return pending
        correlation_id = uuid.uuid4().hex
        body = json.dumps({"args": [], "kwargs": kwargs})
        headers = {"nameko.call_id_stack": ["%s.%s" % (routing_key, correlation_id)]}
        # The request being served on this thread, unless the caller names one (servicekit.logs).
        request_id = request_id or request_context.current()
        if request_id:
            headers["nameko.request_id"] = request_id
        properties = pika.BasicProperties(
            content_type="application/json",
            content_encoding="utf-8",
            reply_to=self.reply_to,
            correlation_id=correlation_id,
            headers=headers,
            # The broker drops the request if no worker takes it before the caller gives up.
            expiration=str(max(1, int(timeout * 1000))),
        )
        with self._pending_lock:
            self._pending[correlation_id] = (future, routing_key)
        pending.correlation_id = correlation_id
        publish = functools.partial(self._publish, routing_key, body, properties, correlation_id)
        try:
            self._connection.add_callback_threadsafe(publish)
        except Exception:  # the connection died between the check and the publish
            self._resolve(correlation_id, error=_unavailable("message broker unreachable"))
        return pending

    # -- I/O thread ------------------------------------------------------------------------------

    def _publish(self, routing_key, body, properties, correlation_id):
        # Runs on the I/O thread. A publish failure means the connection is broken: let it raise
        # out of process_data_events so the loop reconnects; the call fails as unavailable.
        try:
            self._channel.basic_publish(
                exchange=self.exchange, routing_key=routing_key, body=body,
                properties=properties, mandatory=True,
            )
        except Exception:
            self._resolve(correlation_id, error=_unavailable("message broker unreachable"))
            raise

    def _on_reply(self, _channel, _deliver, properties, body):
        try:
            reply = json.loads(body)
        except ValueError:
            log.error("unparseable rpc reply for %s", properties.correlation_id)
            return
        self._resolve(properties.correlation_id, reply=reply)

    def _on_return(self, _channel, _method, properties, _body):
        # Mandatory publish with no queue bound: nobody serves this service on this broker.
        with self._pending_lock:
            entry = self._pending.get(properties.correlation_id)
        service = entry[1].split(".")[0] if entry else "service"
        self._resolve(
            properties.correlation_id, error=_unavailable("%s is not running" % service)
        )

    def _resolve(self, correlation_id, reply=None, error=None):
        with self._pending_lock:
            entry = self._pending.pop(correlation_id, None)
        if entry is None:
            return  # timed out already, or a late reply to an earlier connection's call
        future, routing_key = entry
        if future.done():
            return
        if error is None and reply.get("error"):
            error = error_from_reply(routing_key, reply["error"])
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(reply.get("result"))

    def _fail_all(self, error):
        with self._pending_lock:
            pending = list(self._pending.items())
            self._pending.clear()
        for _, (future, _) in pending:
            if not future.done():
                future.set_exception(error)

    def _connect(self):
        parameters = pika.URLParameters(self.amqp_uri)
        parameters.heartbeat = self._heartbeat
        parameters.blocked_connection_timeout = 5
        parameters.socket_timeout = 3
        parameters.stack_timeout = 5
        parameters.connection_attempts = 1
        parameters.client_properties = {"connection_name": self.reply_to}
        connection = pika.BlockingConnection(parameters)
        channel = connection.channel()
        channel.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        channel.queue_declare(self.reply_to, exclusive=True, auto_delete=True)
        channel.queue_bind(self.reply_to, self.exchange, routing_key=self.reply_to)
        channel.basic_consume(self.reply_to, self._on_reply, auto_ack=True)
        channel.add_on_return_callback(self._on_return)
        self._connection, self._channel = connection, channel

    def _run(self):
        delay_min, delay_max = self._reconnect_delay
        delay = delay_min
        while not self._stopping.is_set():
            try:
                self._connect()
                if self.last_error is not None:
                    log.info("rpc client reconnected to broker")
                self.last_error = None
                delay = delay_min
                self._connected.set()
                while not self._stopping.is_set():
                    self._connection.process_data_events(time_limit=0.25)
            except Exception as exc:  # any broker or socket failure: reconnect
                if self.last_error is None:
                    log.warning("rpc client lost the broker: %r", exc)
                self.last_error = exc
            finally:
                self._connected.clear()
                self._fail_all(_unavailable("message broker connection lost"))
                self._close_quietly()
            if not self._stopping.is_set():
                self._stopping.wait(delay)
                delay = min(delay * 2, delay_max)

    def _close_quietly(self):
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except Exception:
                pass


class PendingCall:
    """A call in flight: `result()` waits at most its timeout."""

    def __init__(self, client, routing_key, future, started, timeout):
        self._client = client
        self.routing_key = routing_key
        self.future = future
        self.started = started
        self.timeout = timeout
        self.correlation_id = None
        self._recorded = False

    def _fail(self, error):
        self.future.set_exception(error)

    def result(self):
        remaining = max(0.0, self.timeout - (time.perf_counter() - self.started))
        try:
            value = self.future.result(timeout=remaining)
        except FutureTimeout:
            if self.correlation_id is not None:
                with self._client._pending_lock:
                    self._client._pending.pop(self.correlation_id, None)
            self._record("timeout")
            raise DomainError(
                errors.TIMEOUT, "%s did not answer within %.1fs" % (self.routing_key, self.timeout)
            ) from None
        except DomainError as exc:
            self._record(exc.code)
            raise
        self._record("success")
        return value

    def _record(self, outcome):
        if self._recorded:
            return
        self._recorded = True
        metrics.RPC_CLIENT_CALLS.labels(self.routing_key, outcome).inc()
        metrics.RPC_CLIENT_LATENCY.labels(self.routing_key).observe(
            time.perf_counter() - self.started
        )
