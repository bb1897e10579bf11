"""RPC round-trip bench: our gateway client (servicekit.rpc_client.RpcClient) against the textbook
raw pika RPC client, both calling the same raw-pika echo server on the same broker.

    .venv/bin/python bench/rpc.py [--seconds 3] [--warmup 1] [--callers 1,16] [--rounds 3]
                                  [--servers 1] [--prefetch 64]
                                  [--amqp-uri amqp://guest:guest@127.0.0.1:5672/]

Prints calls/s, p50 and p99 per scenario and caller count, then ours/raw for calls/s. Exits 0,
or 1 if the run was broken (a scenario with no calls, or callers that never got a reply).
See bench/README.md for what the figures mean and how to read them.
"""
import argparse
import json
import logging
import multiprocessing
import os
import sys
import threading
import time
import uuid

# `make bench` runs this file as a script: make the repository importable.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import pika  # noqa: E402

from contracts.rpc import RpcMethod  # noqa: E402
from servicekit.rpc_client import RPC_EXCHANGE, RpcClient  # noqa: E402

DEFAULT_URI = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
SERVICE = "bench_echo"
SERVER_READY_TIMEOUT = 10.0
# A call slower than this means the bench is broken (server gone), not slow: give up on it.
CALL_TIMEOUT = 5.0


# -- echo server (separate processes) ------------------------------------------------------------


def serve_echo(amqp_uri, queue, routing_key, prefetch, ready):
    """A nameko-compatible echo service in plain pika: replies {"result": kwargs, "error": null} to
    `reply_to` on the nameko-rpc exchange. Runs in its own process so it never competes with the
    callers for the GIL; several processes may share the queue."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    channel.exchange_declare(RPC_EXCHANGE, exchange_type="topic", durable=True)
    # auto_delete removes the queue when the last server disconnects; x-expires is the safety net
    # for a queue no server ever consumed from (a server that died before basic_consume).
    channel.queue_declare(queue, auto_delete=True, arguments={"x-expires": 60000})
    channel.queue_bind(queue, RPC_EXCHANGE, routing_key=routing_key)
    channel.basic_qos(prefetch_count=prefetch)

    def on_request(ch, deliver, properties, body):
        reply = json.dumps({"result": json.loads(body).get("kwargs"), "error": None})
        ch.basic_publish(
            RPC_EXCHANGE, properties.reply_to, reply,
            pika.BasicProperties(correlation_id=properties.correlation_id,
                                 content_type="application/json"),
        )
        ch.basic_ack(deliver.delivery_tag)

    channel.basic_consume(queue, on_request)
    ready.set()
    try:
        channel.start_consuming()
    except KeyboardInterrupt:
        pass


def start_servers(amqp_uri, count, routing_key, prefetch):
    # spawn, not fork: the parent may already hold pika connections and threads.
    context = multiprocessing.get_context("spawn")
    queue = "%s-bench-%s" % (SERVICE, uuid.uuid4().hex[:12])
    servers = []
    for _ in range(count):
        ready = context.Event()
        process = context.Process(
            target=serve_echo, args=(amqp_uri, queue, routing_key, prefetch, ready), daemon=True
        )
        process.start()
        servers.append((process, ready))
    processes = [process for process, _ in servers]
    if not all(wait_ready(process, ready) for process, ready in servers):
        stop_servers(processes)
        raise SystemExit("echo server did not come up (broker at %s reachable?)" % amqp_uri)
    return processes


def wait_ready(process, ready):
    # Poll rather than wait the full timeout: a server that cannot connect dies at once.
    deadline = time.monotonic() + SERVER_READY_TIMEOUT
    while process.is_alive() and time.monotonic() < deadline:
        if ready.wait(0.1):
            return True
    return ready.is_set()


def stop_servers(processes):
    # Killing the process closes its connection; the broker then cancels the consumer and the
    # auto_delete queue goes with it.
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join(5)


# -- the two callers -----------------------------------------------------------------------------


class RawPikaCaller:
    """The textbook pika RPC client (one per thread): its own BlockingConnection and exclusive reply
    queue; publish, then process events until the reply with our correlation id arrives. The reply
    queue is bound to nameko-rpc because the server replies nameko-style through that exchange."""

    def __init__(self, amqp_uri, routing_key):
        self.routing_key = routing_key
        self.connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
        self.channel = self.connection.channel()
        self.queue = self.channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
        self.channel.queue_bind(self.queue, RPC_EXCHANGE, routing_key=self.queue)
        self.channel.basic_consume(self.queue, self._on_reply, auto_ack=True)
        self.correlation_id = None
        self.response = None

    def _on_reply(self, _channel, _deliver, properties, body):
        if properties.correlation_id == self.correlation_id:
            self.response = json.loads(body)

    def call(self, **kwargs):
        self.response = None
        self.correlation_id = uuid.uuid4().hex
        self.channel.basic_publish(
            RPC_EXCHANGE, self.routing_key, json.dumps({"args": [], "kwargs": kwargs}),
            pika.BasicProperties(reply_to=self.queue, correlation_id=self.correlation_id,
                                 content_type="application/json"),
        )
        # As in the tutorial: block until I/O happens. No per-call timer (it would tax the
        # baseline); a caller stuck on a dead server is caught by run_scenario's deadline.
        while self.response is None:
            self.connection.process_data_events(time_limit=None)
        return self.response["result"]

    def close(self):
        if self.connection.is_open:
            self.connection.close()


def raw_pika_scenario(amqp_uri, method):
    """Per-thread setup for the baseline: each caller thread opens its own connection."""
    def setup():
        caller = RawPikaCaller(amqp_uri, method.routing_key)
        return caller.call, caller.close
    return setup, lambda: None


def our_client_scenario(amqp_uri, method):
    """Per-thread setup for ours: every caller thread shares one RpcClient, as in the gateway."""
    client = RpcClient(amqp_uri, default_timeout=CALL_TIMEOUT, client_name="bench").start()
    if not client.connected:
        raise SystemExit("RpcClient could not connect to %s" % amqp_uri)

    def setup():
        return (lambda **kwargs: client.call(method, **kwargs)), (lambda: None)
    return setup, client.stop


# -- measuring -----------------------------------------------------------------------------------


class Window:
    """The measured interval, fixed once every caller is connected and waiting."""

    def __init__(self, warmup, seconds):
        self.warmup, self.seconds = warmup, seconds
        self.start = self.end = None

    def open(self):
        self.start = time.perf_counter() + self.warmup
        self.end = self.start + self.seconds


def caller_loop(setup, barrier, window, out):
    """One caller thread: call back to back until the window closes. Only calls that start and end
    inside the window count, so warm-up and the ragged stop do not skew the figures."""
    try:
        call, close = setup()
    except Exception:
        barrier.abort()  # fail the run now, not after the barrier's timeout
        raise
    latencies, errors, seq = [], 0, 0
    try:
        barrier.wait()
        while True:
            started = time.perf_counter()
            if started >= window.end:
                break
            seq += 1
            try:
                ok = call(seq=seq) == {"seq": seq}  # the echo must be ours, not a stray reply
            except Exception:
                ok = False
            finished = time.perf_counter()
            if started >= window.start and finished <= window.end:
                if ok:
                    latencies.append(finished - started)
                else:
                    errors += 1
    finally:
        close()
        out.append((latencies, errors))


def cpu_seconds(pid):
    """CPU time (user + system) a process has used so far, from /proc; None where unavailable."""
    try:
        with open("/proc/%d/stat" % pid) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def find_local_broker():
    """pid of a RabbitMQ (beam.smp) on this machine, to show whether the broker is saturated."""
    try:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with open("/proc/%s/comm" % entry) as comm:
                    if comm.read().strip() == "beam.smp":
                        return int(entry)
    except OSError:
        pass
    return None


def cpu_sample(groups):
    """{group name: total CPU seconds} for {group name: [pids]}."""
    sample = {}
    for name, pids in groups.items():
        values = [cpu_seconds(pid) for pid in pids]
        sample[name] = None if not pids or None in values else sum(values)
    return sample


def run_scenario(setup, callers, warmup, seconds, cpu_groups):
    """One measured run: `callers` threads for warm-up + `seconds`. Returns the raw sample."""
    window = Window(warmup, seconds)
    barrier = threading.Barrier(callers + 1, action=window.open)
    out = []
    threads = [
        threading.Thread(target=caller_loop, args=(setup, barrier, window, out), daemon=True)
        for _ in range(callers)
    ]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=30)
    # While the callers run, sample CPU at the window edges: who is busy tells who limits.
    time.sleep(max(0.0, window.start - time.perf_counter()))
    before = cpu_sample(cpu_groups)
    time.sleep(max(0.0, window.end - time.perf_counter()))
    after = cpu_sample(cpu_groups)
    # Bounded: a caller still waiting this long after the window is lost (its server died); the
    # thread is a daemon, so it cannot keep the process alive either.
    deadline = window.end + CALL_TIMEOUT
    for thread in threads:
        thread.join(max(0.0, deadline - time.perf_counter()))
    return {
        "stuck": sum(thread.is_alive() for thread in threads),
        "latencies": [lat for lats, _ in out for lat in lats],
        "errors": sum(errors for _, errors in out),
        "seconds": seconds,
        "cpu": {name: None if before[name] is None or after[name] is None
                else after[name] - before[name] for name in cpu_groups},
    }


def summarise(samples):
    """Pool the samples of one scenario over all rounds into the figures of one table row."""
    latencies = sorted(lat for sample in samples for lat in sample["latencies"])
    seconds = sum(sample["seconds"] for sample in samples)
    cpu = {}
    for name in samples[0]["cpu"]:
        used = [sample["cpu"][name] for sample in samples]
        cpu[name] = None if None in used else 100.0 * sum(used) / seconds
    return {
        "calls": len(latencies),
        "errors": sum(sample["errors"] for sample in samples),
        "stuck": sum(sample["stuck"] for sample in samples),
        "rate": len(latencies) / seconds,
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "cpu": cpu,
    }


def percentile(sorted_values, pct):
    """Nearest-rank percentile, in milliseconds."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return 1000.0 * sorted_values[int(rank) - 1]


# -- output --------------------------------------------------------------------------------------


def fmt_cpu(value):
    return "-" if value is None else "%.0f%%" % value


def print_table(rows, cpu_names):
    header = ["scenario", "callers", "calls", "calls/s", "p50 ms", "p99 ms", "errors"]
    header += ["cpu " + name for name in cpu_names]
    lines = [header]
    for (name, callers), result in rows.items():
        lines.append([
            name, str(callers), str(result["calls"]), "%.0f" % result["rate"],
            "%.2f" % result["p50"], "%.2f" % result["p99"], str(result["errors"]),
        ] + [fmt_cpu(result["cpu"][cpu]) for cpu in cpu_names])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(line, widths))))
    for (name, callers), result in rows.items():
        if result["stuck"]:
            print("WARNING: %s x%d: %d caller(s) never got a reply; figures are incomplete"
                  % (name, callers, result["stuck"]))


def rate_ratio(ours, raw):
    return ours["rate"] / raw["rate"] if raw["rate"] else float("nan")


def print_ratios(rows, samples, callers_list):
    print()
    print("ours / raw pika, calls/s:")
    for callers in callers_list:
        ratio = rate_ratio(rows[("ours", callers)], rows[("raw pika", callers)])
        line = "  %2d caller%s: %.2fx" % (callers, "" if callers == 1 else "s", ratio)
        # Per-round ratios show how much of the difference is noise.
        rounds = list(zip(samples[("ours", callers)], samples[("raw pika", callers)]))
        if len(rounds) > 1:
            line += "  (rounds: %s)" % ", ".join(
                "%.2f" % rate_ratio(summarise([ours]), summarise([raw])) for ours, raw in rounds
            )
        print(line)


# -- main ----------------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--amqp-uri", default=DEFAULT_URI)
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="measured time per scenario and round")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured time before it")
    parser.add_argument("--callers", default="1,16", help="comma-separated caller thread counts")
    parser.add_argument("--rounds", type=int, default=3,
                        help="repeat every scenario, interleaved; figures pool all rounds")
    parser.add_argument("--servers", type=int, default=1, help="echo server processes")
    parser.add_argument("--prefetch", type=int, default=64, help="echo server prefetch count")
    args = parser.parse_args(argv)
    args.callers = [int(n) for n in args.callers.split(",") if n.strip()]
    return args


SCENARIOS = (("raw pika", raw_pika_scenario), ("ours", our_client_scenario))


def run_rounds(args, method, cpu_groups):
    """Every scenario once per round, raw and ours back to back and in alternating order, so
    that a burst of load from elsewhere on the machine hits both sides alike."""
    samples = {(name, callers): [] for callers in args.callers for name, _ in SCENARIOS}
    for round_no in range(args.rounds):
        order = SCENARIOS if round_no % 2 == 0 else SCENARIOS[::-1]
        for callers in args.callers:
            for name, scenario in order:
                setup, teardown = scenario(args.amqp_uri, method)
                try:
                    samples[(name, callers)].append(run_scenario(
                        setup, callers, args.warmup, args.seconds, cpu_groups))
                finally:
                    teardown()
    return samples


def main(argv=None):
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    # A per-run method name: two benches on one broker must not answer each other's calls.
    method = RpcMethod(SERVICE, "echo_%s" % uuid.uuid4().hex[:8])
    servers = start_servers(args.amqp_uri, args.servers, method.routing_key, args.prefetch)
    broker = find_local_broker()
    cpu_groups = {"bench": [os.getpid()], "server": [p.pid for p in servers]}
    if broker is not None:
        cpu_groups["broker"] = [broker]
    print("echo server: %d process(es), prefetch %d; %d CPU(s); %d round(s) of %gs warm-up + "
          "%gs per scenario" % (args.servers, args.prefetch, os.cpu_count() or 0, args.rounds,
                                  args.warmup, args.seconds))
    print()
    try:
        samples = run_rounds(args, method, cpu_groups)
    finally:
        stop_servers(servers)
    rows = {key: summarise(key_samples) for key, key_samples in samples.items()}
    print_table(rows, list(cpu_groups))
    print_ratios(rows, samples, args.callers)
    # Slow is a result; callers that never got a reply or no calls at all mean a broken run.
    broken = any(row["stuck"] or not row["calls"] for row in rows.values())
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
