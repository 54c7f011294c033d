"""stat2014 layout. (Stub: to be completed.)"""

from __future__ import annotations

from .model import Layout

LAYOUT = Layout(code="stat2014", title="stat2014", years=(2008, 2018), basis="", blocks=())
