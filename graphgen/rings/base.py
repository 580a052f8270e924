"""The small interface every ring typology implements, and the registry that finds them.

A typology is one module in :mod:`graphgen.rings` that defines a config model (a subclass of
:class:`TypologyConfig`) and a ``plant(builder, config, rng)`` function decorated with
:func:`register`. Dropping a new module into the package is all it takes: the package imports every
module in it, the config grows a section named after the typology, and ``graphgen build`` plants it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from graphgen.params import Share, StrictModel

if TYPE_CHECKING:
    from graphgen.rings.builder import RingBuilder


# Typical sizes of ordinary payments that rings imitate as rings.mimicry grows (person-to-person; rent-sized).
EVERYDAY_PAYMENT = 60.0
LARGE_EVERYDAY_PAYMENT = 600.0


class TypologyConfig(StrictModel):
    """Settings every typology has."""

    share: Share = 0.0  # share of all users that are members of rings of this typology

    def min_horizon_days(self) -> float:
        """The shortest horizon this typology's rings fit into (a config error below it)."""
        return 0.0


PlantFn = Callable[["RingBuilder", TypologyConfig, np.random.Generator], None]


@dataclass(frozen=True)
class Typology:
    name: str
    config_model: type[TypologyConfig]
    plant: PlantFn
    description: str


REGISTRY: dict[str, Typology] = {}


def register(name: str, config_model: type[TypologyConfig]) -> Callable[[PlantFn], PlantFn]:
    """Register ``plant`` as the typology ``name`` configured by ``config_model``."""

    def decorate(plant: PlantFn) -> PlantFn:
        if name in REGISTRY:
            raise ValueError(f"ring typology {name!r} registered twice")
        doc = (plant.__doc__ or name).strip().splitlines()[0]
        REGISTRY[name] = Typology(name, config_model, plant, doc)
        return plant

    return decorate
