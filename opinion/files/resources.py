"""The data files shipped with tongxin: site profiles, lexicons, word lists, the user
dictionary, census targets, the survey codebook and the embedded demo.

They live in the repository's ``data/`` folder, which is installed as the package
``tongxin.data`` (``package_dir`` in ``setup.cfg``), so an installed wheel carries them
and an editable install reads the editable sources. They are found through
:mod:`importlib.resources`, never relative to a module's own file.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["data_dir", "data_file"]

DATA_PACKAGE = "tongxin.data"


def data_dir() -> Path:
    """The shipped data folder as a path on disk.

    pip installs packages unzipped, so the resource root is a real directory; a zipped
    install, which would need extraction, is refused with a clear message.
    """
    root = files(DATA_PACKAGE)
    path = Path(str(root))
    if not path.is_dir():
        raise RuntimeError(f"tongxin's data files are not on disk at {root}; install tongxin unzipped (pip does)")
    return path


def data_file(*parts: str) -> Path:
    """A shipped file, e.g. ``data_file("lexicon", "topics.yaml")``."""
    return data_dir().joinpath(*parts)
