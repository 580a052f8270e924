"""What a ring typology declares, and the registry that holds the declarations.

A typology is one module in :mod:`graphgen.rings`: a config model (a :class:`TypologyConfig` subclass), the
roles its members play, the Cypher query that finds its rings and how that query is scored, and a
``plant(builder, config, rng)`` function, tied together by :func:`register`. Dropping the module into the
package is all it takes: the config grows a section named after it, ``graphgen build`` plants it, the
labels decode its roles, and the Neo4j tests score its query.

This module and the typology modules are declarations: they import no generator stage. ``plant`` receives
the :class:`~graphgen.rings.builder.RingBuilder` it works through as an argument.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from graphgen.params import Share, StrictModel
from graphgen.registry import Registry

if TYPE_CHECKING:
    from graphgen.rings.builder import RingBuilder

NODE_TYPES = ("user", "device", "account", "ip")  # the node types ring members are recorded as
RHYTHM_SLACK_HOURS = 48  # published times follow people's daily rhythm, which moves a gap by less than two days

# Typical sizes of ordinary payments that rings imitate as rings.mimicry grows (person-to-person; rent-sized).
EVERYDAY_PAYMENT = 60.0
LARGE_EVERYDAY_PAYMENT = 600.0


class TypologyConfig(StrictModel):
    """Settings every typology has."""

    share: Share = 0.0  # share of all users that are members of rings of this typology

    def min_horizon_days(self) -> float:
        """The shortest horizon this typology's rings fit into (a config error below it)."""
        return 0.0

    def query_parameters(self) -> dict[str, float]:
        """Parameters of the typology's ring query that cover rings drawn from this config: what an analyst
        who knew the config would set (the shipped defaults do not restate any config)."""
        return {}


@dataclass(frozen=True)
class RingQuery:
    """The shipped Cypher query that finds a typology's rings, and how its answers are scored.

    Each returned row is one suspected group: the ids in ``column`` (of ``node_type``). A planted ring is
    judged on its members of ``node_type``; with ``truth_via`` (an edge table such as ``uses_device``) only on
    those linked through it to the ring's own nodes (members kept off the ring's devices can only be found
    through money; a ring with no such member is left out).
    """

    file: str  # in cypher/
    column: str
    node_type: str
    truth_via: str | None = None


PlantFn = Callable[["RingBuilder", TypologyConfig, np.random.Generator], None]


@dataclass(frozen=True)
class Typology:
    name: str
    config_model: type[TypologyConfig]
    plant: PlantFn
    roles: dict[str, tuple[str, ...]]  # node type -> roles members of that type play
    query: RingQuery
    description: str


REGISTRY: Registry[Typology] = Registry("ring typology")


def register(name: str, config_model: type[TypologyConfig], roles: dict[str, tuple[str, ...]],
             query: RingQuery) -> Callable[[PlantFn], PlantFn]:
    """Register ``plant`` as the typology ``name``; see the module docstring."""
    unknown = set(roles) - set(NODE_TYPES)
    if unknown:
        raise ValueError(f"typology {name!r} declares roles for unknown node types {sorted(unknown)}")

    def decorate(plant: PlantFn) -> PlantFn:
        doc = (plant.__doc__ or name).strip().splitlines()[0]
        REGISTRY.add(name, Typology(name, config_model, plant, roles, query, doc))
        return plant

    return decorate


def role_names() -> tuple[str, ...]:
    """Every role of every registered typology, in a fixed order (their codes in the working tables)."""
    return tuple(sorted({role for t in REGISTRY.items() for roles in t[1].roles.values() for role in roles}))
