"""local2008 layout. (Stub: to be completed.)"""

from __future__ import annotations

from .model import Layout

LAYOUT = Layout(code="local2008", title="local2008", years=(2008, 2018), basis="", blocks=())
