"""Configuration files with `${VAR:default}` and the cursor/limit rules every list endpoint uses."""
import base64

import pytest

from contracts import errors
from contracts.errors import DomainError
from servicekit import pagination
from servicekit.config import load_config, var_dir

CONFIG = """\
AMQP_URI: ${QT_AMQP_URI:amqp://guest:guest@127.0.0.1:5672/}
METRICS_PORT: ${QT_METRICS_PORT:9101}
DEBUG: ${QT_DEBUG:false}
TIMEOUT: ${QT_TIMEOUT:2.5}
MONGO_URI: ${QT_MONGO_URI:}
SECRET: ${QT_SECRET}
GREETING: hello ${QT_WHO:world}
PLAIN: untouched
NESTED:
  LIMITS:
    - ${QT_LIMIT_A:1}
    - ${QT_LIMIT_B:2}
  NAME: ${QT_NAME:quartier}
"""


@pytest.fixture
def write_config(tmp_path, monkeypatch):
    for name in ("QT_AMQP_URI", "QT_METRICS_PORT", "QT_DEBUG", "QT_TIMEOUT", "QT_MONGO_URI",
                 "QT_SECRET", "QT_WHO", "QT_LIMIT_A", "QT_LIMIT_B", "QT_NAME"):
        monkeypatch.delenv(name, raising=False)

    def write(text=CONFIG):
        path = tmp_path / "config.yaml"
        path.write_text(text)
        return str(path)

    return write


def test_defaults_apply_with_their_yaml_types(write_config):
    config = load_config(write_config())

    assert config == {
        "AMQP_URI": "amqp://guest:guest@127.0.0.1:5672/",  # colons inside a default survive
        "METRICS_PORT": 9101,
        "DEBUG": False,
        "TIMEOUT": 2.5,
        "MONGO_URI": None,  # an empty default means "not configured"
        "SECRET": None,  # no default and unset: absent, never the literal placeholder
        "GREETING": "hello world",
        "PLAIN": "untouched",
        "NESTED": {"LIMITS": [1, 2], "NAME": "quartier"},
    }


def test_environment_overrides_defaults_and_is_typed_the_same_way(write_config, monkeypatch):
    monkeypatch.setenv("QT_METRICS_PORT", "0")
    monkeypatch.setenv("QT_DEBUG", "true")
    monkeypatch.setenv("QT_MONGO_URI", "mongodb://db:27017")
    monkeypatch.setenv("QT_SECRET", "s3cret-value")
    monkeypatch.setenv("QT_WHO", "Esch")
    monkeypatch.setenv("QT_LIMIT_B", "7")

    config = load_config(write_config())

    assert config["METRICS_PORT"] == 0
    assert config["DEBUG"] is True
    assert config["MONGO_URI"] == "mongodb://db:27017"
    assert config["SECRET"] == "s3cret-value"
    assert config["GREETING"] == "hello Esch"
    assert config["NESTED"]["LIMITS"] == [1, 7]


def test_a_variable_set_to_the_empty_string_counts_as_unset(write_config, monkeypatch):
    monkeypatch.setenv("QT_MONGO_URI", "")

    assert load_config(write_config())["MONGO_URI"] is None


def test_an_empty_config_file_is_an_empty_config(write_config):
    assert load_config(write_config("")) == {}


def test_var_dir_is_created_and_moved_by_quartier_var(tmp_path, monkeypatch):
    monkeypatch.setenv("QUARTIER_VAR", str(tmp_path / "state"))

    assert var_dir() == str(tmp_path / "state")
    assert (tmp_path / "state").is_dir()
    # An explicit VAR_DIR in the config wins over the environment.
    assert var_dir({"VAR_DIR": str(tmp_path / "other")}) == str(tmp_path / "other")


@pytest.mark.parametrize("position", [
    "esch-sur-alzette",
    ["2026-03-01T09:30:15+00:00", "65f1c0ffee"],
    {"created_at": "2026-03-01T09:30:15+00:00", "id": "é/ü?&=+"},
    7,
])
def test_cursor_round_trips_its_position_and_is_url_safe(position):
    cursor = pagination.encode_cursor(position)

    assert pagination.decode_cursor(cursor) == position
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize("cursor", [None, ""])
def test_no_cursor_means_the_first_page(cursor):
    assert pagination.decode_cursor(cursor) is None


@pytest.mark.parametrize("cursor", [
    "!!!not-base64!!!",
    base64.urlsafe_b64encode(b"not json").decode(),
    base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    "a",  # impossible base64 length
    12345,  # not even a string
], ids=["not-base64", "not-json", "not-utf8", "bad-length", "not-a-string"])
def test_malformed_cursor_is_an_invalid_request(cursor):
    with pytest.raises(DomainError) as raised:
        pagination.decode_cursor(cursor)

    assert raised.value.code == errors.INVALID
    assert "cursor" in raised.value.message


@pytest.mark.parametrize("limit, expected", [
    (None, pagination.PAGE_LIMIT_DEFAULT),
    (1, 1),
    (pagination.PAGE_LIMIT_MAX, pagination.PAGE_LIMIT_MAX),
    ("25", 25),  # straight from a query string
])
def test_page_limit_accepts_integers_in_range(limit, expected):
    assert pagination.page_limit(limit) == expected


@pytest.mark.parametrize("limit", [0, -1, pagination.PAGE_LIMIT_MAX + 1, "0", "101", "-5", "ten",
                                   "", 2.5, True, [10]])
def test_page_limit_outside_the_range_is_invalid_and_says_the_range(limit):
    with pytest.raises(DomainError) as raised:
        pagination.page_limit(limit)

    assert raised.value.code == errors.INVALID
    assert "1 to %d" % pagination.PAGE_LIMIT_MAX in raised.value.message


def test_page_limit_default_and_maximum_can_be_tuned_per_endpoint():
    assert pagination.page_limit(None, default=50, maximum=200) == 50
    assert pagination.page_limit(200, default=50, maximum=200) == 200
    with pytest.raises(DomainError):
        pagination.page_limit(201, default=50, maximum=200)


@pytest.mark.parametrize("value", [-1, 2 ** 63, 10 ** 40, True, "3", 1.5])
def test_a_sequence_position_beyond_what_a_store_holds_is_invalid(value):
    with pytest.raises(DomainError) as raised:
        pagination.sequence_position(value, "after_seq")
    assert raised.value.code == errors.INVALID and "after_seq" in raised.value.message


def test_a_sequence_position_within_64_bits_is_kept():
    assert pagination.sequence_position(0, "after_seq") == 0
    assert pagination.sequence_position(2 ** 63 - 1, "after_seq") == 2 ** 63 - 1
