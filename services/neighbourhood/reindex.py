"""Rebuild the helper search index from the profiles in the neighbourhood service's store:

    python -m services.neighbourhood.reindex             # through the running service (RPC)
    python -m services.neighbourhood.reindex --offline   # the service is stopped: open the
                                                         # store and the index here

The index is a projection: emptied, then every profile with a membership is indexed again under
the member's current home, in committed batches. Online is the normal way (tantivy allows one
writer per index and the running service holds it); --offline is for a stopped service or a
fresh var/ (same store and index settings as the service: MONGO_URI, QUARTIER_VAR,
ELASTICSEARCH_URL). AMQP_URI names the broker (default: the local one)."""
import argparse
import os
import sys
import time

from contracts import rpc, services
from contracts.caller import SYSTEM_CALLER
from contracts.errors import DomainError
from services.neighbourhood.helpers import index_document, replace_profile

BATCH = 500
# 50,000 profiles take about a minute on the embedded engine; leave room.
RPC_TIMEOUT = 900.0


def current_documents(helper_store, neighbourhoods, batch=BATCH):
    """Every document the index should hold, page by page: {index document, ...} per batch."""
    after = ""
    while True:
        page = helper_store.profiles_page(after, batch)
        if not page:
            return
        after = page[-1].user_id
        documents = []
        for profile in page:
            member = neighbourhoods.get_member(profile.user_id)
            if member is not None:  # no membership (erasure under way): not searchable
                documents.append(index_document(replace_profile(
                    profile, neighbourhood_id=member.neighbourhood_id)))
        yield documents


def rebuild(helper_store, neighbourhoods, index, batch=BATCH):
    """Empty the index and index every profile again; returns how many were indexed."""
    index.clear()
    indexed = 0
    for documents in current_documents(helper_store, neighbourhoods, batch):
        indexed += index.upsert(documents)
    return indexed


def purge(helper_store, neighbourhoods, index):
    """After an erasure: removed documents physically gone from the index's files."""
    index.purge(document for documents in current_documents(helper_store, neighbourhoods)
                for document in documents)


def _offline():
    from servicekit.store import open_store, repository_for
    from services.neighbourhood.helpers_repository import MongoHelpers, SqliteHelpers
    from services.neighbourhood.repository import MongoNeighbourhoods, SqliteNeighbourhoods
    from services.neighbourhood.search import open_index

    config = {}
    store = open_store(services.NEIGHBOURHOOD, config)
    index = open_index(config, services.NEIGHBOURHOOD)
    indexed = rebuild(repository_for(store, SqliteHelpers, MongoHelpers),
                      repository_for(store, SqliteNeighbourhoods, MongoNeighbourhoods), index)
    return {"action": "rebuild", "indexed": indexed, "documents": index.count()}


def _online(amqp_uri, action):
    from servicekit.rpc_client import RpcClient

    with RpcClient(amqp_uri, default_timeout=RPC_TIMEOUT, client_name="reindex") as client:
        return client.call(rpc.neighbourhood.HELPER_INDEX, caller=SYSTEM_CALLER.to_dict(),
                           action=action, timeout=RPC_TIMEOUT)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m services.neighbourhood.reindex",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--offline", action="store_true",
                        help="rebuild here, with the service stopped")
    parser.add_argument("--amqp-uri", default=os.environ.get(
        "AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        result = _offline() if args.offline else _online(args.amqp_uri, "rebuild")
    except DomainError as exc:
        print("reindex failed: %s" % exc, file=sys.stderr)
        return 1
    print("indexed %d helper profiles in %.1f s; the index holds %d documents" % (
        result["indexed"], time.perf_counter() - started, result["documents"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
