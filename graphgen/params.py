"""Validated parameter types shared by the configuration and the ring typologies.

Every knob of graphgen is a pydantic model built from these pieces, so bad values are rejected
up front (scikit-learn style) with the offending key named, before anything is generated or written.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

Share = Annotated[float, Field(ge=0.0, le=1.0, description="a share in [0, 1]")]


class StrictModel(BaseModel):
    """Base for every config section: unknown keys are errors and values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class _Bounds(StrictModel):
    """A ``[low, high]`` pair; YAML may write it as a two-item list, a mapping, or one number (low = high)."""

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and len(value) == 2:
            return {"low": value[0], "high": value[1]}
        if isinstance(value, (int, float)) and not isinstance(value, bool):  # one number: exactly that
            return {"low": value, "high": value}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> _Bounds:
        if self.low > self.high:  # type: ignore[attr-defined]
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")  # type: ignore[attr-defined]
        return self


class IntRange(_Bounds):
    """Integers drawn uniformly from ``[low, high]`` (both inclusive)."""

    low: int = Field(ge=1)
    high: int = Field(ge=1)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.integers(self.low, self.high + 1, size=size)


class FloatRange(_Bounds):
    """Reals drawn uniformly from ``[low, high]``."""

    low: float = Field(gt=0)
    high: float = Field(gt=0)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size=size)


class Amount(StrictModel):
    """Payment amounts: each edge's typical amount is log-normal around ``median`` (log-sigma ``spread``
    across edges), and its payments vary around that by ``jitter`` (log-sigma, payment to payment)."""

    median: float = Field(gt=0)
    spread: float = Field(0.0, ge=0, le=3)
    jitter: float = Field(0.0, ge=0, le=3)

    def edge_mu(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Log of each edge's typical amount."""
        return np.log(self.median) + self.spread * rng.standard_normal(size)

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Amounts (not logs), one per item."""
        return self.median * np.exp(self.spread * rng.standard_normal(size))


class Count(StrictModel):
    """A heavy-tailed integer count: ``round(median * exp(sigma * z))`` clipped to ``[min, max]``.

    A log-normal keeps most draws near the median while leaving a long right tail (a few users with
    many devices, a few merchants with thousands of customers), which is what real populations show.
    """

    min: int = Field(ge=0)
    median: float = Field(gt=0)
    max: int = Field(ge=1)
    sigma: float = Field(default=0.6, ge=0.0, le=3.0)

    @model_validator(mode="after")
    def _ordered(self) -> Count:
        if not self.min <= self.median <= self.max:
            raise ValueError(f"need min <= median <= max, got {self.min}, {self.median}, {self.max}")
        return self

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        raw = self.median * np.exp(self.sigma * rng.standard_normal(size))
        return np.clip(np.rint(raw), self.min, self.max).astype(np.int64)
