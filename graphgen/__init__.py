"""graphgen: a graph-centric synthetic fraud network generator.

>>> import graphgen
>>> graph = graphgen.generate("small")          # an EntityGraph
>>> nx_graph = graph.to_networkx()               # or graph.to_igraph() for algorithms at scale
"""

from importlib.metadata import PackageNotFoundError, version

from graphgen.config import GraphgenConfig, resolve_config
from graphgen.graph import EntityGraph
from graphgen.pipeline import generate

try:
    __version__ = version("graphgen")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = ["EntityGraph", "GraphgenConfig", "__version__", "generate", "resolve_config"]
