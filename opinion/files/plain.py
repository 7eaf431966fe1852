"""Reading the user-editable files (word lists, dictionaries, lexicons): one place for their errors.

A missing file or one not saved as UTF-8 is an :class:`~opinion.errors.InputError`
naming the file and saying what to do, never a traceback; a YAML file that does not
parse names the line.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from opinion.errors import InputError

__all__ = ["load_yaml", "read_utf8"]


def read_utf8(path: Path, missing: str) -> str:
    """The text of ``path``; ``missing`` is the advice given when the file does not exist."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: {missing}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}); save it as UTF-8") from exc


def load_yaml(path: Path, missing: str) -> Any:
    """The parsed YAML of ``path`` (see :func:`read_utf8` for ``missing``)."""
    text = read_utf8(path, missing)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{path}{where}: not valid YAML ({problem}); fix the syntax") from exc
