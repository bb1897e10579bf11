"""YAML configuration with `${VAR:default}` substitution (the same syntax nameko's CLI accepts), so
every process, nameko or not, is configured the same way: safe defaults for one machine, every value
overridable by environment, secrets only from the environment."""
import os
import re

import yaml

_ENV_PATTERN = re.compile(r"\$\{([^}:{]+)(?::([^}]*))?\}")


def _substitute(text):
    def replace(match):
        name, default = match.group(1), match.group(2)
        return os.environ.get(name, default if default is not None else "")

    return _ENV_PATTERN.sub(replace, text)


_NUMBER = re.compile(r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$")
_BOOLEANS = {"true": True, "false": False}


def _typed(text):
    """`${PORT:9100}` becomes an int and `${FLAG:false}` a bool; anything else stays the exact
    string (no YAML re-parsing, which would turn `0123` into 83 or cut a password at ` #`)."""
    if text == "":
        return None
    if _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return _BOOLEANS.get(text.lower(), text)


def _expand(value):
    if isinstance(value, str) and "${" in value:
        return _typed(_substitute(value))
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v) for v in value]
    return value


def load_config(path):
    with open(path) as handle:
        return _expand(yaml.safe_load(handle) or {})


def var_dir(config=None):
    """Where all state lives on one machine; QUARTIER_VAR moves it."""
    configured = (config or {}).get("VAR_DIR") or os.environ.get("QUARTIER_VAR") or "var"
    path = os.path.abspath(configured)
    os.makedirs(path, exist_ok=True)
    return path
