"""Fraud ring typologies: one module each, every module in this package registered on import.

Add a typology by adding a module that defines a :class:`~graphgen.rings.base.TypologyConfig` subclass and
a ``plant`` function decorated with :func:`~graphgen.rings.base.register` (see ``kiting.py`` for a short
one). Planting itself (:func:`graphgen.rings.builder.plant_rings`) is behaviour and lives in the builder.
"""

from __future__ import annotations

import importlib
import pkgutil

from graphgen.rings.base import NODE_TYPES, REGISTRY, RingQuery, Typology, TypologyConfig, register, role_names

_INFRASTRUCTURE = {"base", "builder"}
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _INFRASTRUCTURE:
        importlib.import_module(f"{__name__}.{_module.name}")


def typology_names() -> list[str]:
    """Registered typologies in a fixed order (their codes in the working label tables)."""
    return REGISTRY.names()


__all__ = ["NODE_TYPES", "REGISTRY", "RingQuery", "Typology", "TypologyConfig", "register", "role_names", "typology_names"]
