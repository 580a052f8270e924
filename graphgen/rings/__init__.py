"""Stage 2: plant fraud rings. One module per typology; every module in this package is registered.

Add a typology by adding a module that defines a :class:`~graphgen.rings.base.TypologyConfig` subclass
and a ``plant`` function decorated with :func:`~graphgen.rings.base.register`.
"""

from __future__ import annotations

import importlib
import pkgutil

from graphgen.rings.base import REGISTRY, Typology, TypologyConfig, register

_INFRASTRUCTURE = {"base", "builder"}
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _INFRASTRUCTURE:
        importlib.import_module(f"{__name__}.{_module.name}")


def typology_names() -> list[str]:
    """Registered typologies in a fixed order (their codes in the working label tables)."""
    return sorted(REGISTRY)


def plant_rings(graph, config, seed: int):
    """Plant every configured typology into ``graph`` (in place) and return it.

    Each typology draws from its own random stream, so enabling one leaves the others' rings unchanged.
    """
    from graphgen.rings.builder import RingBuilder
    from graphgen.sampling import stage_rng

    builder = RingBuilder(graph, config, typology_names(), stage_rng(seed, "rings"))
    for name in typology_names():
        builder.rng = stage_rng(seed, f"rings.{name}")
        REGISTRY[name].plant(builder, getattr(config.rings, name), builder.rng)
    return builder.finish()


__all__ = ["REGISTRY", "Typology", "TypologyConfig", "plant_rings", "register", "typology_names"]
