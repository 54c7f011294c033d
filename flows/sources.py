"""Turn the user's SOURCE arguments into documents to ingest."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from transforms.parse import SUPPORTED_SUFFIXES

# Files that sit beside reports but are never reports themselves: notes, truths, configs, data.
NOT_DOCUMENT_SUFFIXES = frozenset({
    ".md", ".json", ".toml", ".yaml", ".yml", ".csv", ".tsv", ".parquet", ".py", ".log",
    ".lock", ".cfg", ".ini",
})


def is_document(path: Path) -> bool:
    """Report formats we read, plus anything else that might be one (no suffix, .doc, .bin…).

    Unknown kinds are ingested too, so they get a `reports` row saying why they were not read
    instead of vanishing; hidden files and obvious metadata files are left out.
    """
    if any(part.startswith(".") for part in path.parts[-1:]):
        return False
    suffix = path.suffix.lower()
    return suffix in SUPPORTED_SUFFIXES or suffix not in NOT_DOCUMENT_SUFFIXES


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
    """Files as given, directories searched recursively in sorted order, URLs as is.

    Hidden directories (e.g. a warehouse's `.versions`) are not searched.
    """
    for arg in args:
        if arg.startswith(("http://", "https://")):
            yield Source(arg, is_url=True)
            continue
        path = Path(arg)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and is_document(p)
                           and not any(q.startswith(".") for q in p.relative_to(path).parts))
            yield from (Source(str(p)) for p in found)
        elif path.is_file():
            yield Source(str(path))
        else:
            raise SourceError(f"{arg}: no such file or directory (expected a file, a directory "
                              "or an http(s) URL)")
