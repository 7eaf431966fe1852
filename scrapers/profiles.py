"""Site profiles: which spider reads a site, and the CSS selectors and field labels it uses.

A profile is a small YAML file, so that a board with the same structure under other
class names is crawled by editing data, not code. The built-in profiles live in
``data/profiles/``; :func:`load_profile` also takes the path of a file of one's own.
Every key is checked against what the spider understands, so a typo fails at once
with the file, line and key instead of silently crawling nothing.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from cssselect import SelectorError
from parsel.csstranslator import css2xpath

from opinion.errors import InputError
from opinion.files.resources import data_file

log = logging.getLogger(__name__)

PROFILE_DIR = data_file("profiles")

TOP_KEYS = {"name", "spider", "description", "selectors", "paths", "labels", "strip", "drop_params", "options"}
REQUIRED_TOP = ("name", "spider", "description")

# Per spider: the selectors it reads and the fields it finds by label.
SPIDER_SCHEMA: dict[str, dict[str, frozenset[str]]] = {
    "gov_letters": {
        # All optional: what a profile leaves out, the generic reader (scrapers.generic) finds.
        # The field keys select the element holding that field's value on a letter page.
        "selectors": frozenset({
            "list_item", "list_link", "list_date", "next_page",
            "detail_row", "row_label", "row_value",
            "title", "author", "posted", "place", "category", "text", "reply_unit", "replied", "reply_text",
        }),
        "required_selectors": frozenset(),
        "labels": frozenset({
            "title", "author", "posted", "place", "category",
            "text", "reply_unit", "replied", "reply_text",
        }),
    },
    "discuz": {
        "selectors": frozenset({
            "board_link", "thread_row", "thread_link", "list_next",
            "thread_title", "post", "author", "profile", "profile_term",
            "posted", "posted_title", "message", "thread_next",
        }),
        "labels": frozenset({"sex", "age", "place"}),
    },
    "hanweb": {
        "selectors": frozenset({
            "list_link", "list_date", "detail_row", "row_label", "row_value",
            "article_title", "article_date", "article_body",
        }),
        "labels": frozenset({
            "title", "author", "posted", "place", "category",
            "text", "reply_unit", "replied", "reply_text",
        }),
        "options": frozenset({"method", "form", "per_request", "per_page"}),
    },
    "json_api": {
        "selectors": frozenset(),
        # dotted paths into the JSON: "items" from the top, the others within one item
        "paths": frozenset({
            "items", "total", "cursor", "id", "title", "text", "author", "posted",
            "place", "sex", "age", "category", "reply_text", "reply_unit", "replied", "url",
        }),
        "required_paths": frozenset({"items", "id", "text"}),
        "labels": frozenset(),
        "options": frozenset({
            "pagination", "page_param", "size_param", "page_size", "first_page",
            "cursor_param", "watermark_param", "item_url",
        }),
    },
}

_PATH_PART = re.compile(r"^[^.\[\]]+(\[(\*|\d+)\])?$")


@dataclass(frozen=True)
class Profile:
    """A validated site profile."""

    name: str
    spider: str
    description: str
    selectors: dict[str, str]
    paths: dict[str, str] = field(default_factory=dict)  # JSON profiles: field -> dotted path
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    strip: tuple[str, ...] = ()
    drop_params: tuple[str, ...] = ()  # tracking/session query parameters; "utm_*" drops a prefix
    options: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def selector(self, key: str) -> str:
        """The CSS selector for ``key``; a missing one is a profile error, named."""
        try:
            return self.selectors[key]
        except KeyError:
            raise InputError(f"{self.path or self.name}: profile has no selector '{key}' (under 'selectors:')") from None


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map each key path (``("selectors", "post")``) to its 1-based line in the file."""
    lines: dict[tuple[str, ...], int] = {}

    def walk(node: yaml.Node, prefix: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                path = (*prefix, str(key_node.value))
                lines[path] = key_node.start_mark.line + 1
                walk(value_node, path)

    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, ())
    return lines


def _where(path: Path, lines: dict[tuple[str, ...], int], *keys: str) -> str:
    line = lines.get(tuple(keys))
    return f"{path} line {line}" if line else str(path)


def _resolve(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.parent != Path("."):
        if not candidate.is_file():
            raise InputError(f"{candidate}: no such profile file")
        return candidate
    for suffix in (".yaml", ".yml"):
        builtin = PROFILE_DIR / f"{name_or_path}{suffix}"
        if builtin.is_file():
            return builtin
    if candidate.is_file():
        return candidate
    known = ", ".join(p.name for p in list_profiles()) or "none"
    raise InputError(f"unknown profile '{name_or_path}': built-in profiles are {known}; or give the path of a .yaml file")


def load_profile(name_or_path: str | Path) -> Profile:
    """Load a built-in profile by name (``gov-letters``) or a profile file by path.

    Raises :class:`InputError` naming the file, the line where YAML gives one, and
    the offending key or value.
    """
    path = _resolve(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the profile as UTF-8") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path} line {mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{where}: not valid YAML ({problem})") from exc
    return _validate(data, path, _key_lines(text))


def _validate(data: Any, path: Path, lines: dict[tuple[str, ...], int]) -> Profile:
    if not isinstance(data, dict):
        raise InputError(f"{path}: a profile is a mapping with keys {', '.join(sorted(TOP_KEYS))}; got {type(data).__name__}")
    for key in data:
        if key not in TOP_KEYS:
            raise InputError(
                f"{_where(path, lines, str(key))}: unknown key '{key}'; known keys: {', '.join(sorted(TOP_KEYS))}"
            )
    for key in REQUIRED_TOP:
        if key not in data or data[key] in (None, ""):
            raise InputError(f"{path}: missing key '{key}'")
    for key in ("name", "spider", "description"):
        if not isinstance(data[key], str):
            raise InputError(f"{_where(path, lines, key)}: '{key}' must be text, got {data[key]!r}")
    spider = data["spider"]
    if spider not in SPIDER_SCHEMA:
        raise InputError(
            f"{_where(path, lines, 'spider')}: unknown spider '{spider}'; known spiders: {', '.join(sorted(SPIDER_SCHEMA))}"
        )
    schema = SPIDER_SCHEMA[spider]
    selectors = _mapping(data, "selectors", path, lines)
    for key, value in selectors.items():
        if key not in schema["selectors"]:
            raise InputError(
                f"{_where(path, lines, 'selectors', key)}: unknown key 'selectors.{key}' for spider {spider}; "
                f"known: {', '.join(sorted(schema['selectors']))}"
            )
        _check_css(value, path, lines, "selectors", key)
    missing = sorted(schema.get("required_selectors", schema["selectors"]) - set(selectors))
    if missing:
        raise InputError(f"{_where(path, lines, 'selectors')}: missing selectors for spider {spider}: {', '.join(missing)}")
    paths = _mapping(data, "paths", path, lines)
    known_paths = schema.get("paths", frozenset())
    for key, value in paths.items():
        if key not in known_paths:
            raise InputError(
                f"{_where(path, lines, 'paths', key)}: unknown key 'paths.{key}' for spider {spider}; "
                f"known: {', '.join(sorted(known_paths)) or 'none'}"
            )
        if not isinstance(value, str) or not all(_PATH_PART.match(p) for p in value.strip().split(".")):
            raise InputError(
                f"{_where(path, lines, 'paths', key)}: 'paths.{key}' must be a dotted path such as "
                f"data.list[*].content, got {value!r}"
            )
    missing = sorted(schema.get("required_paths", frozenset()) - set(paths))
    if missing:
        raise InputError(f"{_where(path, lines, 'paths')}: missing paths for spider {spider}: {', '.join(missing)}")
    labels: dict[str, tuple[str, ...]] = {}
    for key, value in _mapping(data, "labels", path, lines).items():
        if key not in schema["labels"]:
            raise InputError(
                f"{_where(path, lines, 'labels', key)}: unknown key 'labels.{key}' for spider {spider}; "
                f"known: {', '.join(sorted(schema['labels']))}"
            )
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(v, str) and v.strip() for v in items):
            raise InputError(
                f"{_where(path, lines, 'labels', key)}: 'labels.{key}' must be a label or a list of labels, got {value!r}"
            )
        labels[key] = tuple(v.strip() for v in items)
    strip = data.get("strip") or []
    if isinstance(strip, str):
        strip = [strip]
    if not isinstance(strip, list):
        raise InputError(f"{_where(path, lines, 'strip')}: 'strip' must be a list of CSS selectors, got {strip!r}")
    for css in strip:
        _check_css(css, path, lines, "strip")
    drop = data.get("drop_params") or []
    if isinstance(drop, str):
        drop = [drop]
    if not isinstance(drop, list) or not all(isinstance(d, str) and d.strip() for d in drop):
        raise InputError(
            f"{_where(path, lines, 'drop_params')}: 'drop_params' must be a list of query parameter names, got {drop!r}"
        )
    options = _mapping(data, "options", path, lines)
    known_options = schema.get("options", frozenset())
    for key in options:
        if key not in known_options:
            raise InputError(
                f"{_where(path, lines, 'options', key)}: unknown key 'options.{key}' for spider {spider}; "
                f"known: {', '.join(sorted(known_options)) or 'none'}"
            )
    return Profile(
        name=data["name"], spider=spider, description=data["description"].strip(),
        selectors=dict(selectors), paths={k: str(v).strip() for k, v in paths.items()}, labels=labels, strip=tuple(strip),
        drop_params=tuple(d.strip() for d in drop), options=options, path=path,
    )


def _mapping(data: dict[str, Any], key: str, path: Path, lines: dict[tuple[str, ...], int]) -> dict[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise InputError(f"{_where(path, lines, key)}: '{key}' must be a mapping of name: value, got {value!r}")
    return {str(k): v for k, v in value.items()}


def _check_css(value: Any, path: Path, lines: dict[tuple[str, ...], int], *keys: str) -> None:
    dotted = ".".join(keys)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{_where(path, lines, *keys)}: '{dotted}' must be a CSS selector, got {value!r}")
    try:
        css2xpath(value)
    except SelectorError as exc:
        raise InputError(f"{_where(path, lines, *keys)}: '{dotted}' is not a valid CSS selector: {value!r} ({exc})") from exc


def list_profiles() -> list[Profile]:
    """The built-in profiles, by name; a broken one is logged and skipped, not fatal."""
    found: list[Profile] = []
    for path in sorted(PROFILE_DIR.glob("*.y*ml")):
        try:
            found.append(load_profile(path))
        except InputError as exc:
            log.warning("skipping built-in profile: %s", exc)
    return found
