"""``generate``: config -> population -> rings -> transactions -> events -> labels, timed stage by stage."""

from __future__ import annotations

import time
from collections.abc import Callable

from graphgen.config import GraphgenConfig, resolve_config
from graphgen.events import derive_events
from graphgen.graph import EntityGraph
from graphgen.labels import publish
from graphgen.population import grow_population
from graphgen.rings.builder import plant_rings
from graphgen.transactions import derive_transactions

STAGES: tuple[tuple[str, Callable[[EntityGraph | None, GraphgenConfig, int], EntityGraph]], ...] = (
    ("population", lambda graph, config, seed: grow_population(config, seed)),
    ("rings", plant_rings),
    ("transactions", derive_transactions),
    ("events", derive_events),
    ("labels", publish),
)


def generate(
    config: GraphgenConfig | str | None = None,
    seed: int | None = None,
    on_stage: Callable[[str, float], None] | None = None,
) -> EntityGraph:
    """Generate a labelled fraud network.

    Parameters
    ----------
    config : GraphgenConfig or str, optional
        A config, or the name of a shipped preset; defaults to the ``default`` preset.
    seed : int, optional
        Overrides ``config.seed``. The same config and seed give byte-identical output files.
    on_stage : callable, optional
        Called as ``on_stage(name, seconds)`` after each stage, for progress reporting.

    Returns
    -------
    EntityGraph
        The published graph: node, edge, transaction and label tables as in :mod:`graphgen.schema`.

    Examples
    --------
    >>> import graphgen
    >>> g = graphgen.generate("small", seed=1)
    >>> g.nodes["user"].num_rows >= 10_000
    True
    """
    if config is None or isinstance(config, str):
        config = resolve_config(preset=config)
    if seed is not None:
        config = config.model_copy(update={"seed": seed})
    graph: EntityGraph | None = None
    seconds: dict[str, float] = {}
    for name, stage in STAGES:
        started = time.perf_counter()
        graph = stage(graph, config, config.seed)
        seconds[name] = round(time.perf_counter() - started, 3)
        if on_stage is not None:
            on_stage(name, seconds[name])
    assert graph is not None
    graph.stage_seconds = seconds
    return graph
