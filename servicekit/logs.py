"""Structured logs: one JSON object per line, the same fields in every process, so a log pipeline
(or `grep`/`jq` on one machine) can follow a request id across the gateway and the services.

    {"ts": "2026-11-22T03:10:00.123Z", "level": "INFO", "process": "identity",
     "logger": "nameko.containers", "message": "...", "request_id": "4f1c...", ...extra fields}

Services configure it from the LOGGING section of their config.yaml (dictConfig `()` factories);
the gateway and gRPC processes call `configure()`. Plain stdlib, no nameko: every process uses it.
"""
import json
import logging
import logging.config
import sys
from datetime import datetime, timezone

from servicekit import request_context

# Attributes every LogRecord has; anything else on a record came from `extra=` and is logged as a
# field of its own.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "request_id", "taskName",
}


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id (see servicekit.request_context). On the
    handler, so it sees records from every logger, including the frameworks'."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            record.request_id = self.request_id()
        return True

    def request_id(self):
        return request_context.current()


class JsonFormatter(logging.Formatter):
    def __init__(self, process_name=None, **kwargs):
        # dictConfig passes format/datefmt/style when given; a JSON line has no use for them.
        super().__init__()
        self.process_name = process_name

    def format(self, record):
        entry = {
            "ts": _timestamp(record.created),
            "level": record.levelname,
            "process": self.process_name or record.processName,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_context.current()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: a stray object in `extra=` must not cost us the whole line.
        return json.dumps(entry, default=str, ensure_ascii=False)


def _timestamp(created):
    moment = datetime.fromtimestamp(created, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def logging_config(process_name, level="INFO", quiet=(), request_filter=RequestIdFilter):
    """The dictConfig for a process: JSON lines on stderr, request ids stamped; loggers named in
    `quiet` only report problems (WARNING and above)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": request_filter}},
        "formatters": {"json": {"()": JsonFormatter, "process_name": process_name}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": sys.stderr,
                "formatter": "json",
                "filters": ["request_id"],
            },
        },
        "loggers": {name: {"level": "WARNING"} for name in quiet},
        "root": {"level": str(level or "INFO").upper(), "handlers": ["console"]},
    }


def configure(process_name, level="INFO", quiet=(), request_filter=RequestIdFilter):
    logging.config.dictConfig(logging_config(process_name, level, quiet, request_filter))
