"""The idempotency dependency on a real broker: 20 concurrent replays of one key create once and
all get the first response; the same key with another request is 422; no key, no dedup."""
import itertools

import eventlet
import pytest

from contracts import errors
from contracts.caller import Caller
from servicekit.nameko_extensions import IdempotencyKeys, QuartierService, rpc
from tests.integration.helpers import RPC_ERRORS, domain_error_code

CALLER = Caller(user_id="u1", role="resident", municipality_id="m1").to_dict()


class Creator(QuartierService):
    name = "idempotent_creator"
    idempotency = IdempotencyKeys()
    created = []
    ids = itertools.count(1)

    @rpc
    def create(self, caller, title, idempotency_key=None):
        def make():
            eventlet.sleep(0.2)  # a slow create, so replays really overlap it
            post = {"id": "p%d" % next(Creator.ids), "title": title}
            Creator.created.append(post)
            return post

        return self.idempotency.run(Caller.from_dict(caller), "create", idempotency_key,
                                    {"title": title}, make)


@pytest.fixture
def creator(start_service, cluster_rpc):
    Creator.created = []
    start_service(Creator, max_workers=25)
    return cluster_rpc.idempotent_creator


def test_twenty_concurrent_replays_create_one_object(creator):
    # All 20 requests are on the broker before the first finishes (the create takes 0.2 s), and
    # the service has 25 workers: they really run concurrently. (The standalone proxy may not be
    # shared across greenthreads, so the calls go out async from this one.)
    pending = [creator.create.call_async(caller=CALLER, title="Ladder to lend",
                                         idempotency_key="k-1") for _ in range(20)]
    answers = [reply.result() for reply in pending]
    assert len(Creator.created) == 1
    assert all(answer == Creator.created[0] for answer in answers)


def test_the_same_key_with_another_request_is_unprocessable(creator):
    creator.create(caller=CALLER, title="first", idempotency_key="k-2")
    with pytest.raises(RPC_ERRORS) as raised:
        creator.create(caller=CALLER, title="second", idempotency_key="k-2")
    assert domain_error_code(raised.value) == errors.UNPROCESSABLE
    assert [post["title"] for post in Creator.created] == ["first"]


def test_without_a_key_every_request_creates(creator):
    creator.create(caller=CALLER, title="a")
    creator.create(caller=CALLER, title="a")
    assert len(Creator.created) == 2
