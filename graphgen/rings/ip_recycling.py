"""IP recycling: a pool of proxy IPs rotated among the ring's users in successive, non-overlapping windows.

With ``n`` members and a pool of ``m <= n`` IPs, time is cut into ``n`` slots; in slot ``w`` member ``i``
uses pool IP ``(i + w) mod n`` when that is below ``m``. So every pool IP passes through ``n`` users one
after another, and every member uses ``m`` pool IPs. Hand-overs leave a gap, and some overlap (the last
holder is still online when the next one starts), as on carriers' dynamic pools and hotel Wi-Fi, the
legitimate look-alikes. Members act from their own devices; a ``clean_share`` of their payments go out over
their own IP instead of the pool's.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field, model_validator

from typing import TYPE_CHECKING

from graphgen.params import Count, FloatRange, IntRange, Share
from graphgen.rings.base import RHYTHM_SLACK_HOURS, RingQuery, TypologyConfig, register
from graphgen.sampling import HOUR, ranks_within, uniform_times
from graphgen.vocab import HOSTING, RESIDENTIAL

if TYPE_CHECKING:
    from graphgen.rings.builder import RingBuilder

POOL_VPN_SHARE = 0.5  # hosting pool IPs that are also known VPN exits
MAX_HORIZON_SHARE = 0.8  # a ring's rotation is squeezed into at most this share of the horizon
OVERLAP = (0.05, 0.25)  # an overlapping holder stays on this share of a slot into the next one


class IpRecyclingConfig(TypologyConfig):
    share: Share = 0.003
    size: Count = Count(min=3, median=6, max=16, sigma=0.4)  # members per ring
    pool_size: IntRange = IntRange(low=2, high=6)  # IPs per pool (capped at the ring's size)
    slot_hours: FloatRange = FloatRange(low=4, high=72)  # how long a member keeps one pool IP
    gap_share: FloatRange = FloatRange(low=0.01, high=0.3)  # idle time between holders, as a share of a slot
    overlap_share: Share = 0.1  # hand-overs where the last holder stays on after the next one starts
    hosting_share: Share = 0.6  # pool IPs from hosting/VPN ranges; the rest residential proxies
    payments_per_member: IntRange = IntRange(low=2, high=4)  # victim payments each member receives
    payment_median: float = Field(450.0, gt=0)  # typical victim payment
    collectors: IntRange = IntRange(low=1, high=2)  # accounts of the operator that members forward to

    @model_validator(mode="after")
    def _successive_users(self) -> IpRecyclingConfig:
        if self.size.min < 2:
            raise ValueError("size.min must be at least 2, so every pool IP passes between users")
        if self.gap_share.high >= 1:
            raise ValueError("gap_share.high must be below 1: a gap is part of a slot")
        return self

    def query_parameters(self) -> dict[str, float]:
        """Parameters of the ring query that cover these rings (for a config off the defaults)."""
        return {"min_users": min(3, self.size.min),
                "max_gap_hours": self.slot_hours.high * self.gap_share.high + RHYTHM_SLACK_HOURS,
                "max_overlap_hours": self.slot_hours.high * OVERLAP[1] + RHYTHM_SLACK_HOURS}


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
    gap_share = config.gap_share.draw(rng, n_rings)

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
    pair_slot = slot[ring_of_pair]
    gap = (pair_slot * gap_share[ring_of_pair]).astype(np.int64)
    a = t0[ring_of_pair] + w * pair_slot + gap
    overlap = rng.random(len(a)) < config.overlap_share
    b = t0[ring_of_pair] + (w + 1) * pair_slot + np.where(overlap, (rng.uniform(*OVERLAP, len(a)) * pair_slot).astype(np.int64), 0)
    b = np.minimum(b, builder.end)
    edges = builder.link_ips(users[pair_member], ips[ip_base[ring_of_pair] + s], a, b)

    collectors = builder.open_collectors(users[operator], t0, config.collectors.draw(rng, n_rings))
    member_account = builder.primary_account[users]
    builder.members(rings[collectors.ring], "account", collectors.account, "collector_account")
    builder.members(rings[member_ring], "account", member_account, "member_account")

    # Each member takes victim money in one of its slots and forwards it to the collector over that slot's IP
    # (a clean_share of forwards go over the member's own IP); the collector cashes out in the last half-slot.
    who = np.repeat(np.arange(len(users)), config.payments_per_member.draw(rng, len(users)))
    pair = np.searchsorted(pair_member, who) + rng.integers(0, pool[member_ring[who]])  # each member has `pool` slots
    over_pool = np.where(rng.random(len(who)) < builder.config.rings.clean_share, -1, edges[pair])
    ring_end = t0 + sizes * slot
    builder.funnel(rings, member_ring[who], member_account[who], a[pair], b[pair], config.payment_median, collectors,
                   ring_end - slot // 2, ring_end, forward_ip=over_pool)
