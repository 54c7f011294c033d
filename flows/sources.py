"""Turn the user's SOURCE arguments into documents to ingest."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from transforms.parse import SUPPORTED_SUFFIXES


@dataclass(frozen=True)
class Source:
    """A document to ingest: a local file or a URL."""

    location: str
    is_url: bool = False
    raw_path: str | None = None  # bytes already archived (crawled): read them from here
    supersedes: str | None = None  # sha256 of the previous version of this URL, if it changed


class SourceError(ValueError):
    """A SOURCE argument that names nothing the pipeline can read."""


def iter_sources(args: Iterable[str]) -> Iterator[Source]:
    """Files as given, directories searched recursively in sorted order, URLs as is."""
    for arg in args:
        if arg.startswith(("http://", "https://")):
            yield Source(arg, is_url=True)
            continue
        path = Path(arg)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            yield from (Source(str(p)) for p in found)
        elif path.is_file():
            yield Source(str(path))
        else:
            raise SourceError(f"{arg}: no such file or directory (expected a file, a directory "
                              "or an http(s) URL)")
