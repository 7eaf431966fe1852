"""The click group: lazy command loading and the one place where domain errors become exit codes."""
from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from opinion.errors import TongxinError


def domain_errors() -> tuple[type[Exception], ...]:
    """The error types that become ``Error: ...``.

    ``weighting`` is not imported for its error type: its package loads pandas and
    statsmodels, half a second that commands such as ``crawl`` never need. A
    ``WeightingError`` can only be raised once ``weighting.errors`` is loaded.
    """
    weighting_errors = sys.modules.get("weighting.errors")
    if weighting_errors is None:
        return (TongxinError,)
    return (TongxinError, weighting_errors.WeightingError)


# Options of ``tongxin`` itself that users also give after a command, with an example value.
GLOBAL_OPTIONS = {"--engine": "rjieba"}


class TongxinGroup(click.Group):
    """A group whose subcommands are imported on first use (Scrapy and jieba load slowly)
    and whose domain errors become ``Error: ...`` with exit status 1, never a traceback."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attr = self.lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attr)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.NoSuchOption as exc:
            if exc.option_name not in GLOBAL_OPTIONS:
                raise
            command = exc.ctx.command_path.removeprefix(ctx.command_path).strip() if exc.ctx else "..."
            raise click.UsageError(f"{exc.option_name} is an option of tongxin itself: give it before the command, "
                                   f"e.g. tongxin {exc.option_name} {GLOBAL_OPTIONS[exc.option_name]} {command} ...",
                                   ctx=exc.ctx) from exc
        except Exception as exc:
            if isinstance(exc, domain_errors()):
                raise click.ClickException(str(exc)) from exc
            if isinstance(exc, OSError):
                # Files that cannot be read or written: name them, no traceback.
                where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
                raise click.ClickException(f"{where}{exc.strerror or exc}") from exc
            raise


def configure_logging(verbose: int) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # jieba resets its own logger to DEBUG when imported and announces its dictionary
    # loading on every start; a filter (which it leaves alone) keeps that for -vv.
    jieba_logger = logging.getLogger("jieba")
    for old in [f for f in jieba_logger.filters if isinstance(f, _QuietBelow)]:
        jieba_logger.removeFilter(old)
    jieba_logger.addFilter(_QuietBelow(logging.DEBUG if verbose >= 2 else logging.WARNING))


class _QuietBelow(logging.Filter):
    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self.level
