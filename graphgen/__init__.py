"""graphgen: a graph-centric synthetic fraud network generator.

>>> import graphgen
>>> graph = graphgen.generate("small")          # an EntityGraph
>>> nx_graph = graph.to_networkx()               # or graph.to_igraph() for algorithms at scale

The names below are loaded on first use, so that importing a declaration module (``graphgen.config``,
``graphgen.schema``) does not pull in the generator.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("graphgen")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

_PUBLIC = {
    "EntityGraph": "graphgen.graph", "GraphgenConfig": "graphgen.config", "OutputFolder": "graphgen.output",
    "generate": "graphgen.pipeline", "read_graph": "graphgen.output", "resolve_config": "graphgen.config",
}
__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'graphgen' has no attribute {name!r}")
