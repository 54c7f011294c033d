"""Bounds on what one document may cost: size, depth, decompression, time and memory.

Every limit is a setting with a safe default; ``OGI_LIMIT_<FIELD>`` in the environment
overrides one (e.g. ``OGI_LIMIT_PARSE_SECONDS=120``). SECURITY.md lists them. The parsers
read the size/depth/ratio limits; flows/ingest.py enforces time and memory around them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

MiB = 1024 * 1024
ENV_PREFIX = "OGI_LIMIT_"


@dataclass(frozen=True)
class Limits:
    # a local file larger than this is not even read into memory (no raw copy either)
    max_read_bytes: int = 200 * MiB
    # a document larger than this is archived raw but not parsed
    max_document_bytes: int = 100 * MiB
    # HTML and plain text above this are archived raw but not parsed (node-heavy pages
    # cost ~50x their size in memory and seconds per MB)
    max_markup_bytes: int = 16 * MiB
    # deeper element nesting is read as flat text (tree builders go quadratic)
    max_html_depth: int = 2_000
    # word/document.xml uncompressed, whatever the ZIP header claims
    max_docx_xml_bytes: int = 32 * MiB
    # uncompressed/compressed size of a .docx part above 1 MiB (zip bombs run at ~1000)
    max_zip_ratio: int = 200
    # wall-clock seconds for one document's parse; the parser process is killed after
    # parse_seconds + parse_grace_seconds if it does not stop by itself
    parse_seconds: float = 60.0
    parse_grace_seconds: float = 5.0
    # address space a parser process may grow by beyond what it starts with
    parse_memory_bytes: int = 1024 * MiB
    # parse in a child process (one per chunk of documents): a crash, hang or memory
    # blow-up costs one document, not the run
    isolate: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        """Defaults, overridden by ``OGI_LIMIT_<FIELD>`` variables; bad values raise."""
        overrides: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None or not raw.strip():
                continue
            value: object
            try:
                if f.type in ("bool", bool):
                    value = raw.strip().lower() in ("1", "true", "yes", "on")
                elif f.type in ("int", int):
                    value = int(raw)
                else:
                    value = float(raw)
            except ValueError as exc:
                raise ValueError(f"{ENV_PREFIX}{f.name.upper()}={raw!r}: {exc}") from exc
            if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
                raise ValueError(f"{ENV_PREFIX}{f.name.upper()}={raw!r} must be positive")
            overrides[f.name] = value
        return cls(**overrides)


DEFAULT_LIMITS = Limits()


def mib(n: int) -> str:
    """A byte count for messages: '16 MiB' or '1536 bytes'."""
    return f"{n // MiB} MiB" if n >= MiB and n % MiB == 0 else f"{n} bytes"
