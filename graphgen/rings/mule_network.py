"""Money-mule networks: victims' payments fan in to first-layer mules, who pass them on within hours, less a
cut, through one or more further layers to cashiers who cash out at exchanges.

A ring is layered: ``first_layer`` mules, then each further layer a ``narrowing`` share of the one before (at
least one mule). Every payment a mule receives leaves again ``pass_hours`` later (longer with rings.mimicry,
as mules dodging velocity rules wait), less the mule's cut, split into pieces for random mules of the next
layer (scatter-gather); the last layer's cashiers pay exchanges. Mules are recruited customers or new ones,
acting from their own accounts, devices and IPs: only the money shows the network. Its look-alikes are
people who also collect from many and pay on: online sellers and resellers passing each sale to a supplier,
trip organisers, letting agents passing rents to landlords less a fee.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field, model_validator

from graphgen.params import Count, FloatRange, IntRange, Share
from graphgen.rings.base import EVERYDAY_PAYMENT, RHYTHM_SLACK_HOURS, RingQuery, TypologyConfig, register
from graphgen.sampling import DAY, HOUR, MINUTE, ranks_within, uniform_times
from graphgen.vocab import CHANNEL

if TYPE_CHECKING:
    from graphgen.rings.builder import RingBuilder

MAX_LAYERS = 4  # further layers after the first
MAX_WINDOW_SHARE = 0.5  # a ring's victims pay in over at most this share of the horizon
PIECE_GAP_MINUTES = (1, 20)  # between the pieces a payment is split into
PIECE_WEIGHT = (0.5, 1.5)  # pieces of one payment are unequal: each its drawn weight's share
VICTIM_AMOUNT_SPREAD = 0.8  # log-normal sigma of victim payments around their median


class MuleNetworkConfig(TypologyConfig):
    share: Share = 0.003
    first_layer: Count = Count(min=3, median=6, max=24, sigma=0.5)  # mules victims pay into
    layers: IntRange = IntRange(low=1, high=2)  # further layers after the first; the last one cashes out
    narrowing: FloatRange = FloatRange(low=0.3, high=0.7)  # each further layer's size, as a share of the one before
    victims_per_mule: IntRange = IntRange(low=1, high=5)  # victim payments each first-layer mule receives
    window_days: FloatRange = FloatRange(low=2, high=21)  # victims pay in over this
    pass_hours: FloatRange = FloatRange(low=0.5, high=24)  # a mule passes a payment on this long after it came in
    cut: FloatRange = FloatRange(low=0.02, high=0.12)  # what each mule keeps of a payment
    pieces: IntRange = IntRange(low=1, high=3)  # a payment is passed on split among this many mules of the next layer
    payment_median: float = Field(900.0, gt=0)  # typical victim payment at no mimicry

    @model_validator(mode="after")
    def _layered(self) -> MuleNetworkConfig:
        if self.first_layer.min < 1:
            raise ValueError("first_layer.min must be at least 1")
        if self.layers.low < 1 or self.layers.high > MAX_LAYERS:
            raise ValueError(f"layers must lie within [1, {MAX_LAYERS}]")
        if self.cut.high >= 1:
            raise ValueError("cut.high must be below 1: a mule passes most of a payment on")
        return self

    def query_parameters(self) -> dict[str, float]:
        """Parameters of the ring query that cover these rings (for a config off the defaults)."""
        return {"min_payers": 2, "max_pass_hours": self.pass_hours.high * patience(1.0) + RHYTHM_SLACK_HOURS}


def patience(mimicry: float) -> float:
    """How much longer mules hold money with ``rings.mimicry``: patient mules look less like pass-through."""
    return 1 + 2 * mimicry


@register("mule_network", MuleNetworkConfig,
          roles={"user": ("mule", "layer_mule", "cashier"), "account": ("mule_account",)},
          query=RingQuery("09_mule_networks.cypher", "account_ids", "account"))
def plant(builder: RingBuilder, config: MuleNetworkConfig, rng: np.random.Generator) -> None:
    """Money-mule networks: victims -> first-layer mules -> further layers -> cashiers -> exchanges."""
    width = config.layers.high + 1

    def layer_sizes(n: int) -> np.ndarray:
        size = np.zeros((n, width), np.int64)
        size[:, 0] = config.first_layer.draw(rng, n)
        depth, narrowing = config.layers.draw(rng, n), config.narrowing.draw(rng, n)
        for layer in range(1, width):
            size[:, layer] = np.where(layer <= depth, np.maximum(1, np.rint(size[:, layer - 1] * narrowing)), 0)
        return size

    drawn = layer_sizes(int(builder.member_target) + 1)
    n_rings = len(builder.ring_sizes(lambda n: drawn[:n].sum(axis=1)))
    if not n_rings:
        return
    size = drawn[:n_rings]
    depth = (size > 0).sum(axis=1) - 1  # index of each ring's cashier layer
    horizon = builder.end - builder.start
    window = np.minimum((config.window_days.draw(rng, n_rings) * DAY).astype(np.int64), int(MAX_WINDOW_SHARE * horizon))
    t0 = uniform_times(np.full(n_rings, builder.start), builder.end - window - DAY, rng)

    # Mules in ring-major, layer-major order; base[r, l] is the first mule of ring r's layer l.
    flat = size.ravel()
    mule_ring = np.repeat(np.repeat(np.arange(n_rings), width), flat)
    mule_layer = np.repeat(np.tile(np.arange(width), n_rings), flat)
    base = (np.cumsum(flat) - flat).reshape(size.shape)
    users = builder.recruit(t0[mule_ring])
    account = builder.primary_account[users]
    cut = config.cut.draw(rng, len(users))

    # Victims pay the first layer; then, layer by layer, each payment received leaves again hours later, less
    # the mule's cut, in pieces to the next layer's mules, or to exchanges from the cashier layer. Money still
    # with a mule at the snapshot stays there.
    first = np.flatnonzero(mule_layer == 0)
    at = np.repeat(first, config.victims_per_mule.draw(rng, len(first)))
    ts = t0[mule_ring[at]] + (rng.random(len(at)) * window[mule_ring[at]]).astype(np.int64)
    typical = builder.typical_amount(config.payment_median, EVERYDAY_PAYMENT)
    amount = builder.rounded(typical * np.exp(VICTIM_AMOUNT_SPREAD * rng.standard_normal(len(at))), 10.0)
    flows = [(builder.victims(len(at)), account[at], ts, amount, builder.person_to_person(len(at)), mule_ring[at])]
    pass_unit = patience(builder.config.rings.mimicry) * HOUR  # an hour of pass_hours, stretched by mimicry
    while len(at):
        ring = mule_ring[at]
        ts = ts + (config.pass_hours.draw(rng, len(at)) * pass_unit).astype(np.int64)
        kept = amount * (1 - cut[at])
        cashier = mule_layer[at] == depth[ring]
        out = np.flatnonzero(cashier)
        flows.append((account[at[out]], builder.exchanges(len(out)), ts[out], builder.rounded(kept[out], 10.0),
                      np.full(len(out), CHANNEL["instant"]), ring[out]))
        passing = np.flatnonzero(~cashier)
        pieces = config.pieces.draw(rng, len(passing))
        piece_of = np.repeat(passing, pieces)
        # Pieces leave one after another, minutes apart.
        piece_ts = ts[piece_of] + (ranks_within(pieces) * rng.uniform(*PIECE_GAP_MINUTES, len(piece_of)) * MINUTE).astype(np.int64)
        weight = rng.uniform(*PIECE_WEIGHT, len(piece_of))
        weight /= np.bincount(piece_of, weights=weight, minlength=len(at))[piece_of]
        r, next_layer = ring[piece_of], mule_layer[at[piece_of]] + 1
        target = base[r, next_layer] + rng.integers(0, size[r, next_layer])
        amount = builder.rounded(kept[piece_of] * weight, 10.0)
        flows.append((account[at[piece_of]], account[target], piece_ts, amount, builder.person_to_person(len(piece_of)), r))
        at, ts = target, piece_ts

    src, dst, when, paid, channel, ring = (np.concatenate(parts) for parts in zip(*flows))
    done = when < builder.end
    last = np.full(n_rings, builder.start)
    np.maximum.at(last, ring[done], when[done])
    rings = builder.new_rings(t0, np.maximum(last, t0))
    role = np.where(mule_layer == 0, "mule", np.where(mule_layer == depth[mule_ring], "cashier", "layer_mule"))
    builder.members(rings[mule_ring], "user", users, role)
    builder.members(rings[mule_ring], "account", account, "mule_account")
    builder.schedule(src[done], dst[done], when[done], paid[done], channel[done], rings[ring[done]])
