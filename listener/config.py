"""Configuration: TOML, ``${ENV}`` references, every problem reported at once.

Where it is looked for, in order: ``--config FILE``, ``$LISTENER_CONFIG``,
``./listener.toml``. Relative SQLite paths are relative to the config file, so
a cron job started from any directory finds the same database.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

from connectors import REGISTRY
from connectors.base import ConnectorSettings
from listener.query import QuerySyntaxError, parse

ENV_VAR = "LISTENER_CONFIG"
DEFAULT_FILE = "listener.toml"
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Problem:
    key: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" + (f" — {self.fix}" if self.fix else "")


class ConfigError(Exception):
    """Every problem found in a config file, each with its key and a fix."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{source}: {len(problems)} problem(s) in the configuration:\n{lines}")


class Section(BaseModel):
    # strict: TOML has real booleans and numbers, so `enabled = "yes"` is a mistake to report
    model_config = ConfigDict(extra="forbid", strict=True)


class StorageConfig(Section):
    url: str = "sqlite:///listener.db"


def _query_parses(value: str) -> str:
    try:
        parse(value)
    except QuerySyntaxError as error:
        raise ValueError(str(error)) from None
    return value


class TopicConfig(Section):
    name: str = Field(min_length=1)
    kind: Literal["brand", "competitor", "industry"]
    query: str

    _query = field_validator("query")(classmethod(lambda cls, value: _query_parses(value)))


class ThemeConfig(Section):
    """A theme of criticism: negative stories matching ``query`` (the topic query language)."""

    name: str = Field(min_length=1, max_length=80)
    name_fr: str | None = Field(default=None, min_length=1, max_length=80)  # in French digests
    query: str

    _query = field_validator("query")(classmethod(lambda cls, value: _query_parses(value)))

    def shown_name(self, lang: str) -> str:
        return self.name_fr if lang == "fr" and self.name_fr else self.name


_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


class DigestConfig(Section):
    name: str
    recipients: list[str] = Field(min_length=1)
    topics: list[str] = Field(min_length=1)
    language: Literal["en", "fr"] = "en"
    # when `listener serve` sends it (local time)
    day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    time: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "UTC"
    answer_limit: int = Field(default=10, ge=1, le=100)  # conversations to answer listed
    # influencers: in the top share of the week's authors by reach, and with at least
    # min_mentions mentions or min_followers followers
    influencer_top_share: float = Field(default=0.10, gt=0, le=1)
    influencer_min_mentions: int = Field(default=2, ge=1)
    influencer_min_followers: int = Field(default=1000, ge=0)

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        # the name becomes file names (archive, --out): nothing that could leave a folder
        if not _SLUG.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a safe name: use letters, digits, '-', '_' or '.', starting with a "
                "letter or digit, at most 100 characters (e.g. acme-weekly)"
            )
        return value

    @field_validator("recipients")
    @classmethod
    def _emails(cls, values: list[str]) -> list[str]:
        bad = [value for value in values if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value)]
        if bad:
            raise ValueError(f"not an email address: {', '.join(bad)}")
        return values

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use e.g. 'Europe/Paris')") from None
        return value


class SmtpConfig(Section):
    host: str = "localhost"
    port: int | None = None  # default: 465 for ssl, 587 for starttls, 25 for none
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str = "listener@localhost"
    timeout: float = 30.0

    @property
    def effective_port(self) -> int:
        return self.port or {"ssl": 465, "starttls": 587, "none": 25}[self.security]


class ScoringConfig(Section):
    # a word -> valence map merged into VADER's lexicon (e.g. help = 0.0)
    lexicon: dict[str, float] = Field(default_factory=dict)
    lexicon_fr: dict[str, float] = Field(default_factory=dict)
    workers: int = 0  # 0: one per core
    # where texts too short or too ambiguous for the language detector are scored
    default_language: str = Field(default="en", pattern=r"^[a-z]{2,3}$")
    model: Literal["learned", "vader"] = "learned"
    # a model directory written by `listener train` (default: the newest one there, else the shipped model)
    model_path: str | None = None


class AlertsConfig(Section):
    enabled: bool = False
    recipients: list[str] = Field(default_factory=list)
    webhook_url: SecretStr | None = None
    negative_min_followers: int = 10_000
    cooldown_hours: int = 24
    daily_cap: int = 10


class ServeConfig(Section):
    alerts_interval_minutes: int = 30
    jitter_seconds: int = 60


class Config(Section):
    storage: StorageConfig = Field(default_factory=StorageConfig)
    topics: list[TopicConfig] = Field(min_length=1)
    connectors: dict[str, dict[str, Any]] = Field(default_factory=dict)
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    digests: list[DigestConfig] = Field(default_factory=list)
    themes: list[ThemeConfig] = Field(default_factory=list)
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    serve: ServeConfig = Field(default_factory=ServeConfig)
    # filled by load(): the validated settings of each configured connector
    connector_settings: dict[str, ConnectorSettings] = Field(default_factory=dict, exclude=True)

    def topic(self, name: str) -> TopicConfig:
        for topic in self.topics:
            if topic.name.casefold() == name.casefold():
                return topic
        raise KeyError(name)


def starter_themes() -> list[ThemeConfig]:
    """The generic service themes `listener init` writes (from the packaged example config)."""
    import tomllib
    from importlib.resources import files

    text = files("listener").joinpath("data/config.example.toml").read_text(encoding="utf-8")
    return [ThemeConfig(**theme) for theme in tomllib.loads(text).get("themes", [])]


def find(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The config file to use, or None when there is none anywhere."""
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    local = Path(DEFAULT_FILE)
    return local if local.exists() else None


def searched_places(explicit: str | None = None) -> str:
    return f"--config, ${ENV_VAR}, ./{DEFAULT_FILE}" if not explicit else str(explicit)


def load(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> Config:
    """Read, interpolate and validate a config file. Raises ConfigError listing every problem."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(str(path), [Problem("(file)", "not found", "run `listener init` to create one")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(str(path), [Problem("(file)", f"cannot be read: {error}")]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(str(path), [Problem("(file)", f"is not valid TOML: {error}")]) from None
    return validate(raw, source=str(path), base_dir=path.parent, environ=environ)


def validate(
    raw: dict[str, Any],
    *,
    source: str = "config",
    base_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    problems: list[Problem] = []
    environ = os.environ if environ is None else environ
    connectors = raw.get("connectors")
    if isinstance(connectors, dict):
        # A disabled source does not need its secrets set: it will not run.
        raw = {**raw, "connectors": {
            name: _interpolate(section, environ, [] if _disabled(section) else problems, f"connectors.{name}.")
            for name, section in connectors.items()
        }}
    raw = {key: value if key == "connectors" else _interpolate(value, environ, problems, f"{key}.")
           for key, value in raw.items()}
    # One pass: the cross-references and connector sections are checked on the raw
    # data too, so fixing one problem never reveals another that was hidden behind it.
    config: Config | None = None
    try:
        config = Config.model_validate(raw)
    except ValidationError as error:
        problems.extend(_problems_from(error))
    problems.extend(_cross_references(raw))
    connectors = raw.get("connectors") if isinstance(raw.get("connectors"), dict) else {}
    settings = _connector_settings(connectors, problems)
    if problems:
        raise ConfigError(source, problems)
    assert config is not None
    config.connector_settings = settings
    config.storage.url = _anchor_sqlite_path(config.storage.url, base_dir)
    if config.scoring.model_path and base_dir is not None:
        config.scoring.model_path = str((base_dir / config.scoring.model_path).expanduser().resolve())
    return config


def _disabled(section: Any) -> bool:
    return isinstance(section, dict) and section.get("enabled", True) is False


def _interpolate(value: Any, environ: Mapping[str, str], problems: list[Problem], prefix: str) -> Any:
    if isinstance(value, dict):
        return {k: _interpolate(v, environ, problems, f"{prefix}{k}.") for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, environ, problems, f"{prefix}{i}.") for i, v in enumerate(value)]
    if isinstance(value, str):
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in environ:
                problems.append(
                    Problem(prefix.rstrip("."), f"refers to ${{{name}}}, which is not set",
                            f"export {name}=… in the environment that runs listener")
                )
                return ""
            return environ[name]

        return _ENV_REFERENCE.sub(replace, value)
    return value


_FIXES = {
    "missing": "add this key",
    "extra_forbidden": "remove it or check its spelling against config.example.toml",
    "literal_error": "use one of the allowed values",
    "string_pattern_mismatch": "see config.example.toml for the expected format",
    "int_parsing": "write a whole number",
    "bool_parsing": "write true or false",
    "bool_type": "write true or false, without quotes",
    "int_type": "write a whole number, without quotes",
    "float_type": "write a number, without quotes",
    "string_type": "write it in quotes",
    "too_short": "give at least one value",
}


def _problems_from(error: ValidationError, prefix: str = "") -> list[Problem]:
    problems = []
    for item in error.errors(include_input=False, include_url=False):
        key = prefix + ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        problems.append(Problem(key or "(top level)", message, _FIXES.get(item["type"], "")))
    return problems


def _items(raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = raw.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items if isinstance(item.get("name"), str)]


def _repeated(names: list[str]) -> list[str]:
    return sorted({name for name in names if names.count(name) > 1})


def _cross_references(raw: dict[str, Any]) -> list[Problem]:
    """Names that must be unique and topics that digests refer to, read from the raw config."""
    topic_names = _names(_items(raw, "topics"))
    problems = [Problem("topics", f"topic names must be unique; repeated: {', '.join(_repeated(topic_names))}",
                        "give each topic its own name")] if _repeated(topic_names) else []
    known = {name.casefold() for name in topic_names}
    for index, digest in enumerate(_items(raw, "digests")):
        listed = digest.get("topics") if isinstance(digest.get("topics"), list) else []
        for name in listed:
            if isinstance(name, str) and name.casefold() not in known:
                problems.append(Problem(f"digests.{index}.topics", f"unknown topic {name!r}",
                                        f"use one of: {', '.join(topic_names)}"))
    for name in _repeated(_names(_items(raw, "digests"))):
        problems.append(Problem("digests", f"digest name {name!r} is used twice", "names must be unique"))
    return problems


def _connector_settings(sections: Mapping[str, Any], problems: list[Problem]) -> dict[str, ConnectorSettings]:
    settings: dict[str, ConnectorSettings] = {}
    for name, section in sections.items():
        cls = REGISTRY.get(name)
        if cls is None:
            problems.append(Problem(f"connectors.{name}", "unknown connector",
                                    f"use one of: {', '.join(sorted(REGISTRY))}"))
            continue
        try:
            settings[name] = cls.Settings.model_validate(section or {})
        except ValidationError as error:
            problems.extend(_problems_from(error, prefix=f"connectors.{name}."))
    return settings


def _anchor_sqlite_path(url: str, base_dir: Path | None) -> str:
    prefix = "sqlite:///"
    if base_dir is None or not url.startswith(prefix) or url.startswith(prefix + "/"):
        return url
    path = url[len(prefix):]
    if path in ("", ":memory:") or path.startswith("file:"):
        return url
    return prefix + str((base_dir / path).resolve())
