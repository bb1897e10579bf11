"""Invitation codes and the address register: the code alphabet and entropy, how typed codes are
read, why a code is refused, who issues codes, and how a register CSV is checked row by row."""
import math
import re

import pytest

from contracts import errors
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, RESIDENT, SYSTEM_CALLER, Caller
from contracts.errors import DomainError
from services.identity import addresses, invitations

SECRET = b"k" * 32
DAY = 24 * 3600


def refused(call, *args):
    with pytest.raises(DomainError) as raised:
        call(*args)
    return raised.value


def test_alphabet_has_no_look_alikes_and_codes_carry_about_40_bits():
    assert not set("0O1IL") & set(invitations.ALPHABET)
    assert len(set(invitations.ALPHABET)) == len(invitations.ALPHABET) == 31
    assert invitations.CODE_LENGTH == 8
    assert 39.5 < invitations.ENTROPY_BITS == 8 * math.log2(31) < 40


def test_codes_are_random_over_the_whole_alphabet():
    codes = [invitations.new_code() for _ in range(2000)]

    assert all(re.fullmatch("[%s]{8}" % invitations.ALPHABET, code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert set("".join(codes)) == set(invitations.ALPHABET)


@pytest.mark.parametrize("typed", ["ab7k-q9xz", " AB7K Q9XZ ", "AB7KQ9XZ", "ab7kq9xz"])
def test_typed_codes_ignore_case_blanks_and_the_dash(typed):
    assert invitations.normalize_code(typed) == "AB7KQ9XZ"


@pytest.mark.parametrize("typed", ["AB7KQ9X", "AB7KQ9XZZ", "AB0KQ9XZ", "ABIKQ9XZ", "", None,
                                   "A" * 40])
def test_strings_that_cannot_be_codes_are_none(typed):
    assert invitations.normalize_code(typed) is None


def test_letters_print_the_code_in_two_groups_and_stored_hashes_depend_on_the_secret():
    assert invitations.format_code("AB7KQ9XZ") == "AB7K-Q9XZ"
    assert invitations.code_hash(SECRET, "AB7KQ9XZ") != invitations.code_hash(b"x" * 32,
                                                                               "AB7KQ9XZ")
    code, record = invitations.issue(SECRET, "m1", "H-1", invitations.HOUSEHOLD, "staff",
                                     now=0.0, valid_days=30)
    assert record.code_hash == invitations.code_hash(SECRET, code)
    assert code not in str(record.to_dict())


def test_codes_expire_after_30_days_by_default():
    _, record = invitations.issue(SECRET, "m1", "H-1", invitations.HOUSEHOLD, "staff", now=0.0,
                                  valid_days=invitations.valid_days_or_default(None))

    assert record.expires_at == 30 * DAY
    assert invitations.require_usable(record, 30 * DAY - 1) is record
    error = refused(invitations.require_usable, record, 30 * DAY)
    assert error.code == errors.UNPROCESSABLE
    assert "expired on 1970-01-31" in error.message


@pytest.mark.parametrize("valid_days", [0, 366, "30", True])
def test_validity_is_bounded(valid_days):
    assert refused(invitations.valid_days_or_default, valid_days).code == errors.INVALID


def test_used_replaced_and_unknown_codes_are_refused_with_distinct_reasons():
    _, record = invitations.issue(SECRET, "m1", "H-1", invitations.HOUSEHOLD, "staff", now=0.0,
                                  valid_days=30)

    assert refused(invitations.require_usable, invitations.used(record, "u1", 5.0),
                   10.0).code == errors.CONFLICT
    replaced = record.__class__(**dict(record.to_dict(), status=invitations.SUPERSEDED))
    assert "replaced" in refused(invitations.require_usable, replaced, 10.0).message
    assert refused(invitations.require_usable, None, 10.0).code == errors.INVALID


@pytest.mark.parametrize("caller, allowed", [
    (Caller(user_id="s", role=CITY_STAFF, municipality_id="m1"), True),
    (Caller(user_id="a", role=ADMIN, municipality_id="m1"), True),
    (SYSTEM_CALLER, True),
    (Caller(user_id="s", role=CITY_STAFF, municipality_id="m2"), False),
    (Caller(user_id="m", role=MODERATOR, municipality_id="m1"), False),
    (Caller(user_id="r", role=RESIDENT, municipality_id="m1"), False),
])
def test_staff_of_the_municipality_issue_letters_and_import_the_register(caller, allowed):
    for check in (invitations.authorize_issuer, addresses.authorize_import):
        if allowed:
            check(caller, "m1")
        else:
            assert refused(check, caller, "m1").code == errors.FORBIDDEN


def test_co_residents_are_invited_up_to_the_household_cap():
    adult = Caller(user_id="u", role=RESIDENT, municipality_id="m1", household_id="H-1")

    invitations.authorize_co_resident_invite(adult, adults=2, pending=1, cap=4)
    error = refused(invitations.authorize_co_resident_invite, adult, 3, 1, 4)
    assert error.code == errors.CONFLICT and error.details["cap"] == 4
    staff = Caller(user_id="s", role=CITY_STAFF, municipality_id="m1")
    assert refused(invitations.authorize_co_resident_invite, staff, 0, 0, 4).code == \
        errors.FORBIDDEN


HEADER = "address_id,street,number,postcode,locality,latitude,longitude,household_id\n"


def test_register_rows_are_checked_one_by_one_with_file_line_numbers():
    text = HEADER + (
        "A1,Rue Haute,12,7000,Mons,50.45,3.95,H1\n"
        "A2,Rue Basse,,7000,Mons,50.45,3.95,H2\n"
        "A3,Rue Neuve,3,7000,Mons,95,3.95,H3\n"
        "A1,Rue Haute,12,7000,Mons,50.45,3.95,H4\n"
        "A5,Rue Neuve,5,7000,Mons,50.46,3.96,H1\n"
        "A6,Rue Neuve,7,7000,Mons,50.46,abc,H6\n"
        "A 7,Rue Neuve,9,7000,Mons,50.46,3.96,H7\n"
    )

    households, rejected = addresses.parse_register("m1", text, first_line=102)

    assert [h.household_id for _, h in households] == ["H1"]
    assert households[0][0] == 102
    assert [(r["line"], r["address_id"]) for r in rejected] == [
        (103, "A2"), (104, "A3"), (105, "A1"), (106, "A5"), (107, "A6"), (108, "A 7")]
    reasons = [r["reason"] for r in rejected]
    assert reasons[0] == "missing number"
    assert "latitude" in reasons[1] and "repeated" in reasons[2] and "second address" in reasons[3]
    assert "longitude" in reasons[4] and "address_id" in reasons[5]


def test_a_register_without_the_expected_header_is_refused_whole():
    error = refused(addresses.parse_register, "m1", "id,street\n1,x\n")

    assert error.code == errors.INVALID and "household_id" in error.message


def test_households_outside_every_neighbourhood_are_rejected_with_that_reason():
    households, _ = addresses.parse_register("m1", HEADER + (
        "A1,Rue Haute,12,7000,Mons,50.45,3.95,H1\nA2,Rue Basse,4,7000,Mons,51.0,4.5,H2\n"))

    assert addresses.locate_batches(households) == [[[3.95, 50.45], [4.5, 51.0]]]
    kept, rejected = addresses.placed(households, ["nb-1", None])

    assert [(h.household_id, h.neighbourhood_id) for _, h in kept] == [("H1", "nb-1")]
    assert rejected == [{"line": 3, "address_id": "A2", "reason": addresses.OUTSIDE}]


def test_locate_is_asked_at_most_1000_points_at_a_time():
    rows = "".join("A%d,Street,%d,7000,Mons,50.4,3.9,H%d\n" % (i, i, i) for i in range(2500))
    households, _ = addresses.parse_register("m1", HEADER + rows)

    assert [len(batch) for batch in addresses.locate_batches(households)] == [1000, 1000, 500]
