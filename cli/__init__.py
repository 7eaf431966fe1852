"""Command-line interface: thin click commands over the library packages."""
from __future__ import annotations

__all__ = ["main"]


def __getattr__(name: str) -> object:
    if name == "main":
        from cli.main import main

        return main
    raise AttributeError(name)
