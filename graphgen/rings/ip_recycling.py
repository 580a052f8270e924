"""IP recycling: a pool of proxy IPs rotated among the ring's users in successive, non-overlapping windows.

With ``n`` members and a pool of ``m <= n`` IPs, time is cut into ``n`` slots; in slot ``w`` member ``i``
uses pool IP ``(i + w) mod n`` when that is below ``m``. So every pool IP passes through ``n`` users one
after another, and every member uses ``m`` pool IPs. Members act from their own devices; a
``clean_share`` of their payments go out over their own IP instead of the pool's.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from typing import TYPE_CHECKING

from graphgen.params import Count, FloatRange, IntRange, Share
from graphgen.rings.base import RingQuery, TypologyConfig, register
from graphgen.sampling import HOUR, ranks_within, uniform_times
from graphgen.vocab import HOSTING, RESIDENTIAL

if TYPE_CHECKING:
    from graphgen.rings.builder import RingBuilder

POOL_VPN_SHARE = 0.5  # hosting pool IPs that are also known VPN exits
MAX_HORIZON_SHARE = 0.8  # a ring's rotation is squeezed into at most this share of the horizon
SLOT_GAP = 1 / 20  # idle time at each end of a slot, as a share of it: holders never overlap


class IpRecyclingConfig(TypologyConfig):
    share: Share = 0.003
    size: Count = Count(min=3, median=6, max=16, sigma=0.4)  # members per ring
    pool_size: IntRange = IntRange(low=3, high=8)  # IPs per pool (capped at the ring's size)
    slot_hours: FloatRange = FloatRange(low=6, high=48)  # how long a member keeps one pool IP
    hosting_share: Share = 0.7  # pool IPs from hosting/VPN ranges; the rest residential proxies
    payments_per_member: IntRange = IntRange(low=2, high=4)  # victim payments each member receives
    payment_median: float = Field(450.0, gt=0)  # typical victim payment

    @model_validator(mode="after")
    def _successive_users(self) -> IpRecyclingConfig:
        if self.size.min < 3:
            raise ValueError("size.min must be at least 3, so every pool IP passes between 3 or more users")
        return self


@register("ip_recycling", IpRecyclingConfig,
          roles={"user": ("operator", "member"), "account": ("collector_account", "member_account"), "ip": ("pool_ip",)},
          query=RingQuery("03_ip_recycling.cypher", "user_ids", "user"))
def plant(builder: RingBuilder, config: IpRecyclingConfig, rng: np.random.Generator) -> None:
    """IP recycling: a proxy pool rotated among members in successive windows."""
    sizes = builder.ring_sizes(lambda n: config.size.draw(rng, n))
    if not len(sizes):
        return
    n_rings = len(sizes)
    horizon = builder.end - builder.start
    pool = np.minimum(config.pool_size.draw(rng, n_rings), sizes)
    slot = np.minimum((config.slot_hours.draw(rng, n_rings) * HOUR).astype(np.int64), int(MAX_HORIZON_SHARE * horizon) // sizes)
    t0 = uniform_times(np.full(n_rings, builder.start), builder.end - sizes * slot, rng)
    rings = builder.new_rings(t0, t0 + sizes * slot)

    member_ring = np.repeat(np.arange(n_rings), sizes)
    rank = ranks_within(sizes)
    users = builder.recruit(t0[member_ring])
    operator = rank == 0
    builder.members(rings[member_ring], "user", users, np.where(operator, "operator", "member"))

    hosting = rng.random(pool.sum()) < config.hosting_share
    ips = builder.add_ips(np.where(hosting, HOSTING, RESIDENTIAL), vpn=hosting & (rng.random(pool.sum()) < POOL_VPN_SHARE))
    ip_base = np.cumsum(pool) - pool
    builder.members(np.repeat(rings, pool), "ip", ips, "pool_ip")

    # Every (member, slot) pair of a ring, kept where the rotation gives the member a pool IP.
    pair_member = np.repeat(np.arange(len(users)), sizes[member_ring])
    ring_of_pair = member_ring[pair_member]
    w = ranks_within(sizes[member_ring])
    s = (rank[pair_member] + w) % sizes[ring_of_pair]
    keep = s < pool[ring_of_pair]
    pair_member, ring_of_pair, w, s = pair_member[keep], ring_of_pair[keep], w[keep], s[keep]
    gap = (slot[ring_of_pair] * SLOT_GAP).astype(np.int64)
    a = t0[ring_of_pair] + w * slot[ring_of_pair] + gap
    b = a + slot[ring_of_pair] - 2 * gap
    edges = builder.link_ips(users[pair_member], ips[ip_base[ring_of_pair] + s], a, b)

    collector = builder.account_opened_before(users[operator], t0)
    member_account = builder.primary_account[users]
    builder.members(rings, "account", collector, "collector_account")
    builder.members(rings[member_ring], "account", member_account, "member_account")

    # Each member takes victim money in one of its slots and forwards it to the collector over that slot's IP
    # (a clean_share of forwards go over the member's own IP); the collector cashes out in the last half-slot.
    who = np.repeat(np.arange(len(users)), config.payments_per_member.draw(rng, len(users)))
    pair = np.searchsorted(pair_member, who) + rng.integers(0, pool[member_ring[who]])  # each member has `pool` slots
    over_pool = np.where(rng.random(len(who)) < builder.config.rings.clean_share, -1, edges[pair])
    ring_end = t0 + sizes * slot
    builder.funnel(rings, member_ring[who], member_account[who], a[pair], b[pair], config.payment_median, collector,
                   ring_end - slot // 2, ring_end, forward_ip=over_pool)
