"""Bench models: one module each, every module in this package registered on import.

A model is a function ``(run: BenchRun) -> Scores`` decorated with ``@MODELS.register(name)`` (see
``xgb_raw.py``): it trains on the run's training split, may early-stop on validation, and scores the
validation and test users. ``graphgen bench --models`` lists what is registered. A module whose optional
dependency is missing (torch for the GNNs) is listed as unavailable instead.
"""

from __future__ import annotations

import importlib
import pkgutil

from gnn.benchrun import MODELS, BenchRun, Scores

UNAVAILABLE: dict[str, str] = {}  # module -> why it could not be imported
for _module in pkgutil.iter_modules(__path__):
    try:
        importlib.import_module(f"{__name__}.{_module.name}")
    except ModuleNotFoundError as exc:  # an optional extra is not installed
        UNAVAILABLE[_module.name] = f"needs {exc.name} (pip install 'graphgen[gnn]')"



def description(name: str) -> str:
    """What a registered model is: its module docstring, after the ``name:`` it opens with."""
    doc = importlib.import_module(MODELS[name].__module__).__doc__ or ""
    return doc.split(":", 1)[-1].strip()


__all__ = ["MODELS", "UNAVAILABLE", "BenchRun", "Scores", "description"]
