"""Account takeover: an attacker logs in to established customers' accounts from a device and IP never seen for
them, changes their e-mail or phone, adds new payees in a burst and drains the accounts to mules.

A ring is one attacker with a few devices and IPs (hosting or VPN exits, or residential proxies) working through
``victims`` customers over ``window_days``; many victims were quiet for weeks before (sleepers, whose owners no
longer watch them). Each takeover: a login from an attacker device and IP, an e-mail or phone change hours to
days later (``change_share``), ``payees`` new payees among the ring's mule accounts added within
``burst_minutes``, and high-value transfers to them within ``drain_hours``; then the attacker leaves. Mules cash
out at exchanges. A ``rings.clean_share`` of takeovers run on the victim's own device and IP (remote-access
scams), so a new device is not the whole story. Look-alikes in the population: people changing phone (new
device, new number), dormant customers waking up, people adding several payees in one sitting, one-off large
payments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from graphgen.params import Count, FloatRange, IntRange, Share
from graphgen.rings.base import LARGE_EVERYDAY_PAYMENT, RHYTHM_SLACK_HOURS, RingQuery, TypologyConfig, register
from graphgen.sampling import DAY, HOUR, MINUTE, ranks_within, uniform_times
from graphgen.vocab import CHANNEL, DESKTOP, EVENT, HOSTING, MOBILE, RESIDENTIAL

if TYPE_CHECKING:
    from graphgen.rings.builder import RingBuilder

MAX_WINDOW_SHARE = 0.6  # an attacker works through their victims within this share of the horizon
LOGIN_TO_PAYEES_HOURS = (0.05, 2.0)  # payees are added this long after the change (or the login)
ATTACKER_MOBILE_SHARE = 0.4  # attackers' devices: phones (emulators, bought handsets) or computers
PROXY_VPN_SHARE = 0.5  # of hosting exits, those that are commercial VPNs
EMAIL_SHARE = 0.6  # of identity changes, e-mail; the rest phone
DRAIN_SPREAD = 0.7  # log-normal sigma of a drain transfer around its median
CASH_OUT_DAYS = 3  # mules cash out within this after the money arrives


class AccountTakeoverConfig(TypologyConfig):
    share: Share = 0.002
    victims: Count = Count(min=1, median=4, max=24, sigma=0.6)  # customers one attacker takes over
    mules: IntRange = IntRange(low=1, high=4)  # accounts the attacker drains to
    window_days: FloatRange = FloatRange(low=3, high=45)  # the attacker works through the victims within this
    sleeper_share: Share = 0.6  # victims quiet for weeks before the takeover
    sleep_days: FloatRange = FloatRange(low=30, high=90)
    attacker_devices: IntRange = IntRange(low=1, high=3)
    attacker_ips: IntRange = IntRange(low=1, high=4)
    hosting_share: Share = 0.6  # attacker IPs at hosting or VPN exits; the rest residential proxies
    change_share: Share = 0.8  # takeovers that change the victim's e-mail or phone
    change_hours: FloatRange = FloatRange(low=0.1, high=48)  # after the login
    payees: IntRange = IntRange(low=1, high=4)  # new payees added, from the ring's mules
    burst_minutes: FloatRange = FloatRange(low=2, high=60)  # the payees are added within this
    transfers_per_payee: IntRange = IntRange(low=1, high=2)
    drain_hours: FloatRange = FloatRange(low=0.1, high=24)  # transfers leave this long after the payees
    payment_median: float = 2500.0  # typical drain transfer at no mimicry

    def query_parameters(self) -> dict[str, float]:
        """Parameters of the ring query that cover these rings (for a config off the defaults)."""
        last_payee = self.change_hours.high + LOGIN_TO_PAYEES_HOURS[1] + self.burst_minutes.high / 60
        return {"within_hours": last_payee + RHYTHM_SLACK_HOURS}


@register("account_takeover", AccountTakeoverConfig,
          roles={"user": ("takeover_victim", "cash_out_mule"), "account": ("taken_over_account", "cash_out_account"),
                 "device": ("attacker_device",), "ip": ("attacker_ip",)},
          query=RingQuery("10_account_takeover.cypher", "user_ids", "user", truth_via="uses_device"))
def plant(builder: RingBuilder, config: AccountTakeoverConfig, rng: np.random.Generator) -> None:
    """Account takeover: new device and IP, identity change, payee burst, drain to mules."""
    drawn_victims = config.victims.draw(rng, int(builder.member_target) + 1)
    drawn_mules = config.mules.draw(rng, len(drawn_victims))
    n_rings = len(builder.ring_sizes(lambda n: drawn_victims[:n] + drawn_mules[:n]))
    if not n_rings:
        return
    horizon = builder.end - builder.start
    window = np.minimum((config.window_days.draw(rng, n_rings) * DAY).astype(np.int64), int(MAX_WINDOW_SHARE * horizon))
    t0 = uniform_times(np.full(n_rings, builder.start), builder.end - window - 2 * DAY, rng)

    victims = builder.customers(int(drawn_victims[:n_rings].sum()))
    n_victims = np.bincount(np.searchsorted(np.cumsum(drawn_victims[:n_rings]), np.arange(len(victims)), side="right"),
                            minlength=n_rings)  # the pool may run short: the last rings get fewer
    victim_ring = np.repeat(np.arange(n_rings), n_victims)
    n_mules = drawn_mules[:n_rings]
    mule_ring = np.repeat(np.arange(n_rings), n_mules)
    mules = builder.recruit(t0[mule_ring])
    mule_account = builder.primary_account[mules]
    rings = builder.new_rings(t0, t0 + window + DAY)

    # The attacker's devices and IPs (none for a ring whose every takeover runs on the victims' own devices).
    n = len(victims)
    own = rng.random(n) < builder.config.rings.clean_share
    taken_on_theirs = np.bincount(victim_ring[~own], minlength=n_rings)  # every attacker device and IP is used
    n_devices = np.minimum(config.attacker_devices.draw(rng, n_rings), taken_on_theirs)
    n_ips = np.minimum(config.attacker_ips.draw(rng, n_rings), taken_on_theirs)
    devices = builder.add_devices(np.where(rng.random(n_devices.sum()) < ATTACKER_MOBILE_SHARE, MOBILE, DESKTOP))
    hosting = rng.random(n_ips.sum()) < config.hosting_share
    ips = builder.add_ips(np.where(hosting, HOSTING, RESIDENTIAL), vpn=hosting & (rng.random(len(hosting)) < PROXY_VPN_SHARE))
    builder.members(np.repeat(rings, n_devices), "device", devices, "attacker_device")
    builder.members(np.repeat(rings, n_ips), "ip", ips, "attacker_ip")

    # Each takeover's timeline: login, change, payees, drain.
    login = t0[victim_ring] + (rng.random(n) * window[victim_ring]).astype(np.int64)
    changed = rng.random(n) < config.change_share
    change = login + (config.change_hours.draw(rng, n) * HOUR).astype(np.int64)
    payees_from = np.where(changed, change, login) + (rng.uniform(*LOGIN_TO_PAYEES_HOURS, n) * HOUR).astype(np.int64)
    n_payees = np.minimum(config.payees.draw(rng, n), n_mules[victim_ring])
    of = np.repeat(np.arange(n), n_payees)
    first_mule = np.cumsum(n_mules) - n_mules
    offset = rng.integers(0, n_mules[victim_ring])  # each victim's payees: distinct mules of the ring, in turn
    payee = mule_account[first_mule[victim_ring[of]] + (offset[of] + ranks_within(n_payees)) % n_mules[victim_ring[of]]]
    added = payees_from[of] + (rng.random(len(of)) * config.burst_minutes.draw(rng, n)[of] * MINUTE).astype(np.int64)
    transfers = np.repeat(np.arange(len(of)), config.transfers_per_payee.draw(rng, len(of)))
    drained = (added[transfers] + (config.drain_hours.draw(rng, len(transfers)) * HOUR).astype(np.int64))
    last = np.maximum(np.where(changed, change, login), payees_from + int(config.burst_minutes.high * MINUTE))
    np.maximum.at(last, of[transfers], drained)

    # On the attacker's device and IP, or (clean share) the victim's own: remote access leaves no new device.
    on = np.flatnonzero(~own)
    r, turn = victim_ring[on], ranks_within(taken_on_theirs)  # victims take the attacker's devices and IPs in turn
    device = devices[(np.cumsum(n_devices) - n_devices)[r] + (turn + rng.integers(0, np.maximum(n_devices, 1))[r]) % n_devices[r]]
    ip = ips[(np.cumsum(n_ips) - n_ips)[r] + (turn + rng.integers(0, np.maximum(n_ips, 1))[r]) % n_ips[r]]
    device_edge, ip_edge = np.full(n, -1, np.int64), np.full(n, -1, np.int64)
    session_end = np.minimum(last + (rng.uniform(1, 30, n) * MINUTE).astype(np.int64), builder.end)
    device_edge[on] = builder.link_devices(victims[on], device, login[on], session_end[on])
    ip_edge[on] = builder.link_ips(victims[on], ip, login[on], session_end[on])

    ring_of = rings[victim_ring]
    sleeper = rng.random(n) < config.sleeper_share
    builder.keep_quiet(victims[sleeper], login[sleeper] - (config.sleep_days.draw(rng, int(sleeper.sum())) * DAY).astype(np.int64),
                       login[sleeper])
    builder.event(victims, login, EVENT["login"], ring_of, device_edge=device_edge, ip_edge=ip_edge)
    c = np.flatnonzero(changed & (change < builder.end))
    kind = np.where(rng.random(len(c)) < EMAIL_SHARE, EVENT["email_change"], EVENT["phone_change"])
    builder.event(victims[c], change[c], kind, ring_of[c], device_edge=device_edge[c], ip_edge=ip_edge[c])
    a = np.flatnonzero(added < builder.end)
    builder.event(victims[of[a]], added[a], EVENT["payee_added"], ring_of[of[a]], payee=payee[a],
                  device_edge=device_edge[of[a]], ip_edge=ip_edge[of[a]])
    victim_account = builder.primary_account[victims]
    typical = builder.typical_amount(config.payment_median, LARGE_EVERYDAY_PAYMENT)
    amount = builder.rounded(typical * np.exp(DRAIN_SPREAD * rng.standard_normal(len(transfers))), 10.0)
    t = of[transfers]
    paid = drained < builder.end
    builder.schedule(victim_account[t][paid], payee[transfers][paid], drained[paid], amount[paid],
                     np.where(rng.random(int(paid.sum())) < 0.5, CHANNEL["instant"], CHANNEL["transfer"]), ring_of[t][paid],
                     device_edge[t][paid], ip_edge[t][paid])

    # Mules cash out what they received within days of the attacker's last victim.
    by_account = np.argsort(mule_account)
    mule_of = by_account[np.searchsorted(mule_account, payee[transfers][paid], sorter=by_account)]
    got = np.bincount(mule_of, weights=amount[paid], minlength=len(mules))
    ring_last = np.full(n_rings, builder.start)
    np.maximum.at(ring_last, victim_ring, np.minimum(last, builder.end))
    paid_in = np.flatnonzero(got > 0)
    cash_from = ring_last[mule_ring[paid_in]]
    builder.cash_out(mule_account[paid_in], rings[mule_ring[paid_in]], cash_from,
                     np.minimum(cash_from + CASH_OUT_DAYS * DAY, builder.end), got[paid_in])

    builder.members(ring_of, "user", victims, "takeover_victim")
    builder.members(ring_of, "account", victim_account, "taken_over_account")
    # Only mules the attacker paid before the snapshot are known to belong to the ring.
    builder.members(rings[mule_ring[paid_in]], "user", mules[paid_in], "cash_out_mule")
    builder.members(rings[mule_ring[paid_in]], "account", mule_account[paid_in], "cash_out_account")
