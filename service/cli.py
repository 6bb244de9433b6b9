"""What every command line of the project (``service``, ``training``, ``bench``) checks alike.

A mistake in a path or a count is a usage error (argparse's exit 2, one line naming the
argument) before any work starts, not a traceback after minutes of it; a file that cannot be
read, a folder where a file was expected or a model that will not load is one line of
error and exit 1 (``command``); and no command replaces a file that holds records with
nothing (``refuse_empty``).

Use the types as ``parser.add_argument("--out", type=output_file)``, and decorate ``main``
with ``@command``.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Sized
from pathlib import Path
from typing import Any


def input_file(value: str) -> Path:
    """An existing file."""
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(
            f"{value} is a folder, not a file" if path.is_dir() else f"{value} does not exist"
        )
    return path


def input_dir(value: str) -> Path:
    """An existing folder."""
    path = Path(value)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{value} is a file, not a folder" if path.exists() else f"{value} does not exist"
        )
    return path


def _folder_problem(folder: Path) -> str | None:
    """Why a new file cannot be written in ``folder``, or None: it is missing (or a file stands
    where a folder of its path should be), or writing in it fails. Writing is tried (a hidden
    file made and removed at once), as permissions alone do not tell: root may write anywhere
    by them, yet not in /sys or on a read-only disk."""
    if not folder.is_dir():
        for above in (folder, *folder.parents):
            if above.exists():
                if not above.is_dir():
                    return f"{above} is a file, not a folder"
                break
        return f"{folder} does not exist: make it first"
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".caveat-write-check-")
    except OSError as exc:
        return f"cannot write in {folder} ({exc.strerror or exc})"
    os.close(handle)
    os.unlink(name)
    return None


def output_file(value: str) -> Path:
    """A file to write: not a folder; a file that can be written when it exists, else one in a
    folder that exists and can be written in."""
    if not value:
        raise argparse.ArgumentTypeError("an empty name: give a file name")
    path = Path(value)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a folder; give a file name")
    if path.exists():  # replaced in place (as /dev/null is): its folder need not take new files
        if not os.access(path, os.W_OK):
            raise argparse.ArgumentTypeError(f"{value} cannot be written (no permission)")
    elif problem := _folder_problem(path.parent):
        raise argparse.ArgumentTypeError(problem)
    return path


def output_dir(value: str) -> Path:
    """A folder to write into: made when missing, but not a file, and its parent must exist;
    the folder (or, when it is to be made, its parent) must be one that can be written in."""
    if not value:
        raise argparse.ArgumentTypeError("an empty name: give a folder name")
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a file, not a folder")
    if problem := _folder_problem(path if path.is_dir() else path.parent):
        raise argparse.ArgumentTypeError(problem)
    return path


def _number(value: str, kind: type, lowest: float, above: bool = False) -> Any:
    """``kind(value)`` if it is a finite number >= ``lowest`` (> with ``above``)."""
    try:
        number = kind(value)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"{value!r} is not {what}") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"{value} is not a finite number")
    if number < lowest or (above and number == lowest):
        bound = "above" if above else "at least"
        raise argparse.ArgumentTypeError(f"{value} is not {bound} {lowest:g}")
    return number


def positive_int(value: str) -> int:
    """An integer of at least 1."""
    return _number(value, int, 1)


def count(value: str) -> int:
    """An integer of at least 0 (0: none)."""
    return _number(value, int, 0)


def positive_seconds(value: str) -> float:
    """A finite number of seconds above 0."""
    return _number(value, float, 0, above=True)


def seconds(value: str) -> float:
    """A finite number of seconds, 0 or more (0: none)."""
    return _number(value, float, 0)


def refuse_empty(records: Sized, out: Path, what: str = "records") -> None:
    """Stop (exit 1) before ``out`` is written when there is nothing to write in it."""
    if not len(records):
        raise SystemExit(f"error: no {what} to write; {out} is left as it was")


def add_write_mode(parser: argparse.ArgumentParser) -> None:
    """An importer's ``--append`` and ``--replace`` (one or neither): without either, a run
    that would drop records its ``--out`` holds is refused (``refuse_dropping``)."""
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--append", action="store_true", help="keep --out's records, add to them")
    mode.add_argument(
        "--replace",
        action="store_true",
        help="rewrite --out with these records alone, even if it holds others",
    )


def refuse_dropping(keys: Iterable[str], out: Path, held: Iterable[str]) -> None:
    """Stop (exit 1) before an import rewrites ``out`` without some of the records it holds
    (``held``: a key of each, such as its id), as a rewrite of the committed labels from a
    few raw files would. ``keys``: those of the records the import would write."""
    dropped = sorted(set(held) - set(keys))
    if dropped:
        shown = ", ".join(repr(k[:40]) for k in dropped[:3]) + (", ..." if len(dropped) > 3 else "")
        raise SystemExit(
            f"error: {out} holds {len(dropped)} record(s) this import would drop ({shown}); "
            "add to it with --append, or rewrite it with --replace; it is left as it was"
        )


def require_records(path: Path) -> None:
    """Stop (exit 1) when the labels file ``path`` holds no record, only blank lines: a kappa,
    a fold or a score over no records divides by zero or fails deep in the work."""
    with open(path, encoding="utf-8") as fh:
        if not any(line.strip() for line in fh):
            raise SystemExit(f"error: no labeled records in {path}")


#: What a record of the user's file can raise when it lacks a field or has the wrong shape.
RECORD_ERRORS: tuple[type[Exception], ...] = (ValueError, KeyError, TypeError)


def record_problem(exc: Exception) -> str:
    """One of ``RECORD_ERRORS`` said for the user: the field a record lacks, or the message."""
    if isinstance(exc, KeyError):
        return f"a record lacks the field {exc}"
    if isinstance(exc, TypeError):
        return f"a record is not an object of the expected fields ({exc})"
    return str(exc)


class LabelFileError(ValueError):
    """A labels file holds a line that is not a record, or a record that is malformed or
    inconsistent; the message says where: ``FILE:LINE: problem (id X)``."""


def command(main: Callable[..., Any]) -> Callable[..., Any]:
    """``main`` with what the user's files and the model can raise (OSError, JSONDecodeError,
    UnicodeDecodeError, LabelFileError, ModelError) as one line of error, exit 1, in place of
    a traceback; the code's own bugs still raise."""
    from service.analysis.model import ModelError

    @functools.wraps(main)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return main(*args, **kwargs)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"error: not JSON ({exc})") from None
        except UnicodeDecodeError as exc:
            raise SystemExit(f"error: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        except (OSError, LabelFileError, ModelError) as exc:
            raise SystemExit(f"error: {exc}") from None

    return run
