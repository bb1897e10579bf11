"""Feed paging bench: does a deep page cost what the first one does?

    .venv/bin/python bench/feed.py [--posts 100000] [--neighbourhoods 20] [--samples 300]
                                   [--page 50] [--limit 20]

Starts the whole platform (as the e2e tests do: free ports, a temporary var dir, a vhost of its
own on the broker at $AMQP_URI with the management API at $RABBIT_API_URI), imports a grid of
`--neighbourhoods` neighbourhoods, registers one resident the real way and makes her follow an
adjacent neighbourhood, then writes `--posts` posts spread evenly over the neighbourhoods
straight into the feed's embedded (SQLite) store. It then times, through the gateway, the
resident's feed at page 1 and at page `--page` (reached by following `next_cursor`), both for her
whole feed (home + followed: two neighbourhoods merged) and filtered to her home, and prints
p50/p99 per case and page N / page 1. Exits 1 if a page is missing or out of order.

The cursor is a range on (published_at, id), never a skip, so page 50 should cost what page 1
does; see bench/README.md.
"""
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

# Run as a script: make the repository importable.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import requests  # noqa: E402

from servicekit.store import SqliteStore  # noqa: E402
from services.feed import domain  # noqa: E402
from services.feed.repository import SqlitePosts  # noqa: E402
from tests.e2e import stack  # noqa: E402

BATCH = 5000


def grid_shape(count):
    """rows x cols for `count` neighbourhoods (20 → 4 x 5)."""
    rows = max(r for r in range(1, int(count ** 0.5) + 1) if count % r == 0)
    return rows, count // rows


def fill(var_dir, town, total, rng):
    """`total` posts over the last 180 days, round-robin over the neighbourhoods, written in
    batches straight into the feed service's SQLite file (the one it has open: WAL mode lets
    both write)."""
    store = SqliteStore(os.path.join(var_dir, "feed", "feed.sqlite3"))
    posts = SqlitePosts(store)
    neighbourhoods = sorted(town.cells.values())
    end = datetime.now(timezone.utc) - timedelta(minutes=1)
    span = timedelta(days=180).total_seconds()
    started = time.perf_counter()
    batch = []
    for n in range(total):
        at = domain.timestamp(end - timedelta(seconds=rng.random() * span))
        category = rng.choice(domain.RESIDENT_CATEGORIES)
        details = {"classified": {"kind": "give"}, "pet": {"pet_status": "lost"},
                   "event": {"starts_at": at}, "help": {"solved": False}}.get(category, {})
        home = neighbourhoods[n % len(neighbourhoods)]
        batch.append(domain.Post(
            id=domain.new_id(), municipality_id=town.municipality_id, neighbourhood_id=home,
            audience=(home,), author_id="bench-author-%d" % (n % 500), author_role="resident",
            category=category, title="Bench post %d" % n, body="Body of bench post %d" % n,
            details=details, published_at=at, created_at=at, updated_at=at,
            week=domain.iso_week(at)))
        if len(batch) == BATCH:
            posts.add_posts(batch)
            batch = []
    posts.add_posts(batch)
    store.close()
    return time.perf_counter() - started


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(session, url, token, queries, samples, warmup=20):
    """Time each query `samples` times, interleaved (a, b, b, a, ...) so that both see the same
    machine: on a shared box, load that comes and goes would otherwise land on one of them."""
    headers = {"Authorization": "Bearer " + token}
    timings = [[] for _ in queries]
    for n in range(warmup + samples):
        order = list(enumerate(queries))
        if n % 2:
            order.reverse()
        for index, query in order:
            started = time.perf_counter()
            response = session.get(url, params=query, headers=headers, timeout=10)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit("feed answered %s: %s" % (response.status_code, response.text))
            if n >= warmup:
                timings[index].append(elapsed * 1000)
    return timings


def cursor_of_page(session, url, token, query, page):
    """Follow next_cursor to page `page`; check every page is full and newest first."""
    headers = {"Authorization": "Bearer " + token}
    cursor, last = None, None
    for _ in range(page - 1):
        params = dict(query, cursor=cursor) if cursor else query
        body = session.get(url, params=params, headers=headers, timeout=10).json()
        keys = [(item["published_at"], item["id"]) for item in body["items"]]
        if len(keys) != query["limit"] or keys != sorted(keys, reverse=True) or (
                last and keys[0] >= last):
            raise SystemExit("feed paging broken at a page before %d" % page)
        last, cursor = keys[-1], body["next_cursor"]
    return cursor


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--neighbourhoods", type=int, default=20)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--page", type=int, default=50)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    admin = stack.RabbitAdmin()
    if not admin.answers():
        raise SystemExit("the RabbitMQ management API does not answer on %s" % admin.base)
    with tempfile.TemporaryDirectory(prefix="quartier-bench-feed-") as var_dir, \
            stack.running_platform(admin, var_dir, "bench") as running:
        rows, cols = grid_shape(args.neighbourhoods)
        town = stack.build_town(running.platform, "bench", rows, cols,
                                {"reader": ((0, 0), "Rue du Banc", "Bea Bench")})
        followed = town.cells["r0c1"]
        answer = town.api.request("PUT", "/api/v1/me/follows/" + followed, town.tokens["reader"])
        if answer.status_code != 200:
            raise SystemExit("could not follow: %s" % answer.text)
        seconds = fill(var_dir, town, args.posts, rng)
        print("wrote %d posts over %d neighbourhoods into the embedded store in %.1f s"
              % (args.posts, len(town.cells), seconds))

        url = running.platform.http_url + "/api/v1/feed"
        token = town.tokens["reader"]
        session = requests.Session()
        cases = [("home + followed (2 neighbourhoods merged)", {"limit": args.limit}),
                 ("one neighbourhood (filter)",
                  {"limit": args.limit, "neighbourhood_id": town.homes["reader"]})]
        print("\nGET /api/v1/feed through the gateway, limit %d, %d samples each (ms)"
              % (args.limit, args.samples))
        print("%-44s %6s %8s %8s %8s" % ("case", "page", "p50", "p99", "mean"))
        ratios = []
        for label, query in cases:
            cursor = cursor_of_page(session, url, token, query, args.page)
            first, deep = measure(session, url, token, [query, dict(query, cursor=cursor)],
                                  args.samples)
            for page, timings in ((1, first), (args.page, deep)):
                print("%-44s %6d %8.2f %8.2f %8.2f" % (
                    label, page, percentile(timings, 0.5), percentile(timings, 0.99),
                    statistics.mean(timings)))
            ratio = percentile(deep, 0.5) / percentile(first, 0.5)
            ratios.append(ratio)
            print("%-44s page %d / page 1: p50 x%.2f, p99 x%.2f" % (
                "", args.page, ratio, percentile(deep, 0.99) / percentile(first, 0.99)))
        worst = max(ratios)
        print("\npage %d within %+.0f%% of page 1 at p50 (target: within 20%%)"
              % (args.page, (worst - 1) * 100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
