"""Which metric names a PromQL expression reads, and which names exist: the Prometheus rules and
the Grafana dashboards may only read metrics some Quartier process (servicekit.metrics), the
RabbitMQ plugin (rabbitmq_*), the process collector (process_*), Prometheus itself (`up`) or a
recording rule produces. A typo in a panel or an alert otherwise fails silently: an empty graph,
an alert that can never fire."""
import re

from prometheus_client import REGISTRY

import servicekit.metrics  # noqa: F401 (registers every Quartier metric)

# PromQL words that look like metric names but are functions, keywords or aggregation modifiers.
_PROMQL_WORDS = {
    "sum", "rate", "irate", "increase", "histogram_quantile", "by", "without", "on", "ignoring",
    "group_left", "group_right", "and", "or", "unless", "avg", "max", "min", "count", "absent",
    "topk", "bottomk", "offset", "bool", "clamp_min", "clamp_max", "vector", "scalar", "time",
    "delta", "deriv", "label_replace", "avg_over_time", "max_over_time", "min_over_time",
    "sum_over_time", "changes", "resets", "round", "abs", "sort", "sort_desc", "count_over_time",
    "quantile", "stddev", "le", "inf", "nan", "histogram_count", "histogram_sum",
}
_EXTERNAL_PREFIXES = ("rabbitmq_", "process_", "python_")
_EXTERNAL_NAMES = {"up"}

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_LABEL_SETS = re.compile(r"\{[^}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_BY_CLAUSES = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_GRAFANA_VARIABLES = re.compile(r"\$\{?\w+\}?")
_IDENTIFIERS = re.compile(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w(])")
_FUNCTION_CALL = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*\(")


def metric_names(expr):
    """The metric (or recorded series) names an expression selects."""
    text = _GRAFANA_VARIABLES.sub("5m", expr)
    text = _STRINGS.sub('""', text)
    text = _BY_CLAUSES.sub(" ", text)
    text = _LABEL_SETS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _FUNCTION_CALL.sub(" ( ", text)
    names = set()
    for name in _IDENTIFIERS.findall(text):
        if name.lower() in _PROMQL_WORDS or re.fullmatch(r"\d+\w*", name):
            continue
        names.add(name)
    return names


def declared_quartier_series():
    """Every series name the Quartier processes expose (counters with _total, histograms with
    _bucket/_count/_sum)."""
    names = set()
    for collector in list(REGISTRY._collector_to_names):
        for family in collector.describe() if hasattr(collector, "describe") else ():
            if family.name.startswith("quartier_"):
                names.update(sample_names(family))
    return names


def sample_names(family):
    if family.type == "counter":
        return {family.name + "_total", family.name + "_created"}
    if family.type == "histogram":
        return {family.name + suffix for suffix in ("_bucket", "_count", "_sum", "_created")}
    return {family.name}


def unknown_names(expr, recorded=()):
    known = declared_quartier_series() | set(recorded) | _EXTERNAL_NAMES
    return {
        name for name in metric_names(expr)
        if name not in known and not name.startswith(_EXTERNAL_PREFIXES)
    }
