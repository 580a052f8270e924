"""Devices and IPs, and the USES_DEVICE / USES_IP windows that link people to them.

Every user gets a *primary* device and IP whose windows cover their whole life inside the horizon, so a
transaction at any time can name a device and an IP its user held. Around that grow the legitimate
look-alikes of ring patterns: family tablets, public terminals, demo devices on which customers sign up,
phones on which someone sets up banking for relatives, staff tablets, phones sold on; carrier-grade NAT,
office NAT, public Wi-Fi, VPN exits shared by strangers, home IPs that the ISP hands from one household to
the next, small dynamic pools rotating a few addresses among their subscribers, and hotel Wi-Fi.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from graphgen.config import GraphgenConfig
from graphgen import vocab
from graphgen.population.people import PERSON, People
from graphgen.sampling import DAY, HOUR, choose, cumsum_within, pair_key, pair_parts, popularity, ranks_within, split_into_groups, starts_of_runs, uniform_times

from graphgen.vocab import BUSINESS_NET, DESKTOP, HOSTING, MOBILE, MOBILE_NET, RESIDENTIAL, TABLET

PRIMARY_MOBILE_SHARE = 0.8  # people's main device is a phone, else a computer
PRIMARY_DEVICE_LOOKBACK_DAYS = 730  # the main device was first used up to two years before the horizon
OTHER_DEVICE_LOOKBACK_DAYS = 365
OTHER_DEVICE_DAYS = 45  # median life of a secondary device (log-normal): old phones, work laptops
TABLET_LOOKBACK_DAYS = 730
TERMINAL_SESSION = (5 * 60_000, 2 * HOUR)  # minutes on a library PC or kiosk
HOME_LOOKBACK_DAYS = 5 * 365  # households moved in up to five years before the horizon
BUSINESS_LINE_LOOKBACK_DAYS = 730
OFFICE_LOOKBACK_DAYS = 3 * 365
POOL_IPS_PER_USER = (1, 3)  # CGNAT and VPN users rotate through a few exits
CGNAT_LOOKBACK_DAYS, VPN_LOOKBACK_DAYS = 120, 180
PEOPLE_PER_HOTSPOT = 400
WIFI_SESSION = (10 * 60_000, 3 * HOUR)
DEMO_SESSION = (10 * 60_000, 2 * DAY)  # on a demo device: minutes to a follow-up visit
HELPED_FOR_DAYS = (1, 60)  # how long a helped relative keeps using the helper's phone
RESOLD_AFTER_DAYS = (0.5, 20)  # between a device's last use by its first owner and its first by the next
LEASE_GAP = (-0.1, 0.4)  # between successive leases, as a share of a lease; below 0 the two overlap
HOTEL_GAP_DAYS = (-0.3, 2.0)  # between guests; below 0 the next checks in before the last leaves
_OS_CHOICES = {
    vocab.DEVICE_TYPES.index(t): (
        np.array([vocab.OPERATING_SYSTEMS.index(o) for o, _ in opts]),
        np.array([w for _, w in opts]),
    )
    for t, opts in vocab.OS_BY_TYPE.items()
}


def device_attributes(device_type: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Working columns of new devices of the given types: the OS (versions, models and browsers are drawn
    when the graph is published, once each device's first sighting is known)."""
    n = len(device_type)
    os_code = np.zeros(n, dtype=np.int8)
    for t, (codes, weights) in _OS_CHOICES.items():
        mask = device_type == t
        os_code[mask] = codes[choose(weights / weights.sum(), int(mask.sum()), rng)]
    return {"device_type": device_type.astype(np.int8), "os": os_code}


def ip_attributes(connection: np.ndarray, country: np.ndarray, vpn: np.ndarray) -> dict[str, np.ndarray]:
    """Working columns of new IPs."""
    return {
        "connection_type": connection.astype(np.int8),
        "is_vpn": vpn.astype(bool),
        "is_hosting": (connection == HOSTING),
        "country": country.astype(np.int8),
    }


def link_rows(user, target, first, last, primary=None) -> dict[str, np.ndarray]:
    """Columns of USES_DEVICE / USES_IP rows; ``target`` is the device or IP index."""
    n = len(user)
    return {
        "user": np.asarray(user, dtype=np.int64), "target": np.asarray(target, dtype=np.int64),
        "first_seen": np.asarray(first, dtype=np.int64), "last_seen": np.asarray(last, dtype=np.int64),
        "_primary": np.zeros(n, bool) if primary is None else np.asarray(primary, bool),
    }


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _links_table(parts: list[dict[str, np.ndarray]], target_column: str) -> pa.Table:
    rows = _concat(parts)
    table = pa.table({"user_id": rows["user"], target_column: rows["target"], "first_seen": rows["first_seen"],
                      "last_seen": rows["last_seen"], "_primary": rows["_primary"]})
    return merge_duplicate_links(table, target_column)


def merge_duplicate_links(table: pa.Table, target_column: str) -> pa.Table:
    """One row per (user, target): the window runs from the first to the last time the pair was seen."""
    key = pair_key(table.column("user_id").to_numpy(), table.column(target_column).to_numpy())
    order = np.argsort(key, kind="stable")
    key = key[order]
    new_pair = starts_of_runs(key)
    if new_pair.all():
        return table
    starts = np.flatnonzero(new_pair)
    first = np.minimum.reduceat(table.column("first_seen").to_numpy()[order], starts)
    last = np.maximum.reduceat(table.column("last_seen").to_numpy()[order], starts)
    primary = np.logical_or.reduceat(table.column("_primary").to_numpy()[order], starts)
    user, target = pair_parts(key[starts])
    return pa.table({"user_id": user, target_column: target, "first_seen": first, "last_seen": last, "_primary": primary})


def successions(holders: np.ndarray, begin: np.ndarray, hold: np.ndarray, gap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Windows of holders taking over one after another: ``holders[c]`` per chain starting at ``begin[c]``.

    ``hold`` (per holder) is how long each keeps it; ``gap`` (per holder) is the pause before the next one
    takes over, negative where the two overlap. Returns ``(first, last)`` per holder.
    """
    step = hold + gap
    chain = np.repeat(np.arange(len(holders)), holders)
    first = begin[chain] + cumsum_within(step, holders) - step
    return first, first + hold


REPAYS, CHIPS_IN, PAYS_RENT = range(3)  # how a group's co-users pay their payee


def co_users(user: np.ndarray, payee: np.ndarray, how: np.ndarray) -> dict[str, np.ndarray]:
    """People who share a device or an address and pay one person: the helper they repay, the colleague
    collecting for a gift, the landlord of their building. Their payments are drawn with the money."""
    return {"user": np.asarray(user, np.int64), "payee": np.asarray(payee, np.int64), "how": np.asarray(how, np.int8)}


def no_co_users() -> dict[str, np.ndarray]:
    return co_users(*(np.zeros(0, np.int64),) * 3)


def life_start(created: np.ndarray, start: int, max_lookback_days: float, rng) -> np.ndarray:
    """When a user started using a long-lived device or IP: before the horizon, never before sign-up."""
    lookback = (rng.random(len(created)) * max_lookback_days * DAY).astype(np.int64)
    return np.maximum(created, start - lookback)


def grow_devices(people: People, employer_of: np.ndarray, config: GraphgenConfig, start: int, end: int,
                 rng) -> tuple[pa.Table, pa.Table, dict[str, np.ndarray]]:
    """Personal devices (heavy-tailed counts), family tablets, public terminals and the other shared devices."""
    decoys = config.decoys
    counts = np.maximum(config.population.devices_per_user.draw(rng, people.n), 1)
    counts[people.kind != PERSON] = 1
    owner = np.repeat(np.arange(people.n), counts)
    rank = ranks_within(counts)
    primary = rank == 0
    dtype = choose(vocab.DEVICE_TYPE_WEIGHTS, len(owner), rng)
    dtype[primary] = np.where(rng.random(int(primary.sum())) < PRIMARY_MOBILE_SHARE, MOBILE, DESKTOP)
    dtype[primary & (people.kind[owner] != PERSON)] = DESKTOP
    created = people.created[owner]
    first = np.where(primary, life_start(created, start, PRIMARY_DEVICE_LOOKBACK_DAYS, rng),
                     uniform_times(np.maximum(created, start - OTHER_DEVICE_LOOKBACK_DAYS * DAY), np.full(len(owner), end), rng))
    duration = (OTHER_DEVICE_DAYS * DAY * np.exp(rng.standard_normal(len(owner)))).astype(np.int64)
    last = np.where(primary, end, np.minimum(first + duration, end))
    parts = [link_rows(owner, np.arange(len(owner)), first, last, primary)]
    types = [dtype]
    groups: list[dict[str, np.ndarray]] = []
    n_devices = len(owner)

    # Family tablets: every member of some family households uses the same device for years.
    sizes = people.household_size
    families = np.flatnonzero((sizes >= 2) & ~people.roommates & (rng.random(people.n_households) < decoys.shared_device_share))
    if len(families):
        fam_sizes = sizes[families]
        members = people.household_members[np.repeat(people.household_offsets[families], fam_sizes) + ranks_within(fam_sizes)]
        tablet = n_devices + np.repeat(np.arange(len(families)), fam_sizes)
        bought = np.repeat(start - (rng.random(len(families)) * TABLET_LOOKBACK_DAYS * DAY).astype(np.int64), fam_sizes)
        parts.append(link_rows(members, tablet, np.maximum(people.created[members], bought), np.full(len(members), end)))
        types.append(np.full(len(families), TABLET))
        n_devices += len(families)

    # Public terminals (library PCs, shop kiosks): many unrelated people, short sessions across the horizon.
    persons = people.of_kind(PERSON)
    n_terminals = round(people.n * decoys.shared_terminals_per_10k / 10_000)
    if n_terminals and len(persons):
        per_terminal = decoys.terminal_users.draw(rng, n_terminals)
        terminal = n_devices + np.repeat(np.arange(n_terminals), per_terminal)
        users = persons[rng.integers(0, len(persons), len(terminal))]
        session = uniform_times(np.maximum(people.created[users], start), np.full(len(users), end - TERMINAL_SESSION[1] - HOUR), rng)  # an hour to spare before the snapshot
        parts.append(link_rows(users, terminal, session, session + rng.integers(*TERMINAL_SESSION, len(users))))
        types.append(np.full(n_terminals, DESKTOP))
        n_devices += n_terminals

    established = persons[people.created[persons] < start]

    def first_uses(holders: np.ndarray, issued: np.ndarray, within_days: np.ndarray) -> np.ndarray:
        """When each of a group's holders first uses its device: within ``within_days`` (per group) of the
        device being issued."""
        spread = np.repeat(within_days * DAY, holders)
        return np.repeat(issued, holders) + (rng.random(int(holders.sum())) * spread).astype(np.int64)

    # Demo devices in shops and bank branches: customers are set up on the banking app there, one after
    # another, while the device is in use (days to weeks); each session lasts minutes to a follow-up visit.
    n_demo = round(people.n * decoys.demo_devices_per_10k / 10_000)
    if n_demo and len(established):
        users = decoys.demo_users.draw(rng, n_demo)
        in_use = (decoys.demo_days.draw(rng, n_demo) * DAY).astype(np.int64)
        since = np.minimum(first_uses(users, uniform_times(np.full(n_demo, start), end - in_use, rng), in_use / DAY), end - HOUR)
        parts.append(link_rows(established[rng.integers(0, len(established), len(since))], n_devices + np.repeat(np.arange(n_demo), users),
                               since, np.minimum(since + rng.integers(*DEMO_SESSION, len(since)), end)))
        types.append(np.full(n_demo, MOBILE))
        n_devices += n_demo

    # A relative's phone: someone sets up banking on their own main phone for elderly relatives or neighbours,
    # who use it within days of each other, for days to weeks. The phone lives on before and after.
    helpers = established[rng.random(len(established)) < decoys.helper_share]
    if len(helpers):
        helped = decoys.helped_users.draw(rng, len(helpers))
        user = established[rng.integers(0, len(established), int(helped.sum()))]
        since = np.minimum(first_uses(helped, uniform_times(np.full(len(helpers), start), np.full(len(helpers), end - 21 * DAY), rng),
                                      decoys.helped_within_days.draw(rng, len(helpers))), end - HOUR)
        until = np.minimum(since + (rng.uniform(*HELPED_FOR_DAYS, len(user)) * DAY).astype(np.int64), end)
        parts.append(link_rows(user, np.repeat(np.flatnonzero(primary)[helpers], helped), since, until))
        groups.append(co_users(user, np.repeat(helpers, helped), np.full(len(user), REPAYS)))

    # Staff tablets: an employer issues one shop-floor or field tablet to several staff within days.
    employers = np.unique(employer_of[employer_of >= 0])
    issuing = employers[rng.random(len(employers)) < decoys.staff_device_share]
    staff = np.flatnonzero(np.isin(employer_of, issuing) & (people.created < start))
    if len(staff):
        staff = staff[np.lexsort((rng.random(len(staff)), employer_of[staff]))]
        employer, at = np.unique(employer_of[staff], return_index=True)
        on_staff = np.diff(np.r_[at, len(staff)])
        holders = np.minimum(decoys.staff_device_users.draw(rng, len(employer)), on_staff)
        user = staff[np.repeat(at, holders) + ranks_within(holders)]
        groups.append(co_users(user, np.repeat(user[np.cumsum(holders) - holders], holders), np.full(len(user), CHIPS_IN)))
        since = first_uses(holders, uniform_times(np.full(len(employer), start - 30 * DAY), np.full(len(employer), end - 10 * DAY), rng),
                           decoys.staff_within_days.draw(rng, len(employer)))
        parts.append(link_rows(user, n_devices + np.repeat(np.arange(len(employer)), holders),
                               np.minimum(np.maximum(since, people.created[user]), end - HOUR), np.full(len(user), end)))
        types.append(np.full(len(employer), TABLET))
        n_devices += len(employer)

    # Phones sold on: a secondary device whose owner stopped using it passes to a new owner days later.
    resold = np.flatnonzero(~primary & (last < end - RESOLD_AFTER_DAYS[1] * DAY) & (rng.random(len(owner)) < decoys.second_hand_share))
    if len(resold) and len(established):
        buyer = established[rng.integers(0, len(established), len(resold))]
        bought = last[resold] + (rng.uniform(*RESOLD_AFTER_DAYS, len(resold)) * DAY).astype(np.int64)
        bought = np.minimum(np.maximum(bought, people.created[buyer]), end - HOUR)
        parts.append(link_rows(buyer, resold, bought, np.full(len(resold), end)))

    devices = pa.table(device_attributes(np.concatenate(types), rng))
    return devices, _links_table(parts, "device_id"), _concat(groups) if groups else no_co_users()


def grow_ips(people: People, employer_of: np.ndarray, config: GraphgenConfig, start: int, end: int,
             rng) -> tuple[pa.Table, pa.Table, dict[str, np.ndarray]]:
    """Home IPs (with ISP reassignment), CGNAT, office NAT, public Wi-Fi and VPN exits."""
    decoys = config.decoys
    parts: list[dict[str, np.ndarray]] = []
    ip_parts: list[dict[str, np.ndarray]] = []
    groups = no_co_users()
    n_ips = 0

    def new_ips(connection: int, country: np.ndarray, vpn: bool = False) -> np.ndarray:
        nonlocal n_ips
        n = len(country)
        ip_parts.append(ip_attributes(np.full(n, connection), country, np.full(n, vpn)))
        n_ips += n
        return np.arange(n_ips - n, n_ips)

    # Home IPs: one per household, shared by its members from move-in to the snapshot.
    n_hh = people.n_households
    home = new_ips(RESIDENTIAL, people.household_country)
    sizes = people.household_size
    member_hh = np.repeat(np.arange(n_hh), sizes)
    members = people.household_members
    moved_in = start - (rng.random(n_hh) * HOME_LOOKBACK_DAYS * DAY).astype(np.int64)
    first = np.maximum(people.created[members], moved_in[member_hh])
    # ISP reassignment: a churning household's new IP is the one released earlier by another household,
    # so those IPs show two households in successive, non-overlapping windows (a recycling look-alike).
    churn = np.flatnonzero(rng.random(n_hh) < decoys.ip_churn_share)
    change = np.full(n_hh, end + 1, dtype=np.int64)
    new_home = home.copy()
    if len(churn):
        change_at = uniform_times(np.full(len(churn), start + DAY), np.full(len(churn), end - DAY), rng)
        # The ISP is national: IPs pass between households of one country, in the order they move.
        order = np.lexsort((change_at, people.household_country[churn]))
        churn, change_at = churn[order], change_at[order]
        change[churn] = change_at
        first_in_country = starts_of_runs(people.household_country[churn])
        new_home[churn[1:]] = home[churn[:-1]]
        new_home[churn[first_in_country]] = new_ips(RESIDENTIAL, people.household_country[churn[first_in_country]])
    switch = change[member_hh]
    before = first < switch
    parts.append(link_rows(members[before], home[member_hh[before]], first[before],
                           np.minimum(switch[before] - 1, end), primary=switch[before] > end))
    moved = switch <= end
    parts.append(link_rows(members[moved], new_home[member_hh[moved]], np.maximum(first[moved], switch[moved]),
                           np.full(int(moved.sum()), end), primary=np.ones(int(moved.sum()), bool)))

    # Businesses: their own business line; employers' lines are also their staff's office NAT.
    business = np.flatnonzero(people.kind != PERSON)
    business_ip = np.full(people.n, -1, dtype=np.int64)
    business_ip[business] = new_ips(BUSINESS_NET, people.country[business])
    parts.append(link_rows(business, business_ip[business], life_start(people.created[business], start, BUSINESS_LINE_LOOKBACK_DAYS, rng),
                           np.full(len(business), end), primary=np.ones(len(business), bool)))
    staff = np.flatnonzero((employer_of >= 0) & (rng.random(people.n) < decoys.office_share))
    parts.append(link_rows(staff, business_ip[employer_of[staff]], life_start(people.created[staff], start, OFFICE_LOOKBACK_DAYS, rng),
                           np.full(len(staff), end)))

    persons = people.of_kind(PERSON)

    def shared_pool(share: float, users_per_ip, connection: int, vpn: bool, lookback_days: float) -> None:
        """Some people each use 1-3 IPs of a pool whose IPs are used by many people at once.

        Carrier pools are national: a subscriber's IPs are in their own country. VPN exits are wherever the
        provider rents servers, mostly abroad."""
        users = persons[rng.random(len(persons)) < share]
        if not len(users):
            return
        per_user = rng.integers(POOL_IPS_PER_USER[0], POOL_IPS_PER_USER[1] + 1, len(users))
        user = np.repeat(users, per_user)
        # One pool per country (VPN: one pool, its exits spread over countries); popularity inside a pool
        # follows the configured users-per-IP distribution, so some IPs carry thousands.
        group = np.zeros(len(user), dtype=np.int64) if vpn else people.country[user].astype(np.int64)
        ip = np.empty(len(user), dtype=np.int64)
        for g in np.unique(group):
            mine = np.flatnonzero(group == g)
            n_pool = max(1, round(len(mine) / users_per_ip.median))
            country = choose(vocab.COUNTRY_WEIGHTS, n_pool, rng) if vpn else np.full(n_pool, g)
            pool = new_ips(connection, country, vpn)
            weight = users_per_ip.draw(rng, n_pool).astype(float)
            ip[mine] = pool[choose(weight / weight.sum(), len(mine), rng)]
        parts.append(link_rows(user, ip, life_start(people.created[user], start, lookback_days, rng), np.full(len(user), end)))

    shared_pool(decoys.mobile_share, decoys.cgnat_users, MOBILE_NET, False, CGNAT_LOOKBACK_DAYS)
    shared_pool(decoys.vpn_share, decoys.vpn_users_per_exit, HOSTING, True, VPN_LOOKBACK_DAYS)

    # Public Wi-Fi: short sessions at popular hotspots of one's own country; strangers come and go, sometimes
    # one after another.
    wifi_users = persons[rng.random(len(persons)) < decoys.public_wifi_share]
    if len(wifi_users):
        sessions = decoys.wifi_sessions.draw(rng, len(wifi_users))
        user = np.repeat(wifi_users, sessions)
        n_hotspots = max(1, len(persons) // PEOPLE_PER_HOTSPOT)
        hotspot_country = choose(vocab.COUNTRY_WEIGHTS, n_hotspots, rng)
        hotspot = new_ips(BUSINESS_NET, hotspot_country)
        popular = popularity(n_hotspots, 1.0, rng)
        ip = np.empty(len(user), dtype=np.int64)
        country = people.country[user]
        for c in np.unique(country):
            mine, here = np.flatnonzero(country == c), np.flatnonzero(hotspot_country == c)
            here = here if len(here) else np.arange(n_hotspots)  # a country too small for a hotspot of its own
            ip[mine] = hotspot[here[choose(popular[here] / popular[here].sum(), len(mine), rng)]]
        t = uniform_times(np.maximum(people.created[user], start), np.full(len(user), end - WIFI_SESSION[1] - HOUR), rng)
        parts.append(link_rows(user, ip, t, t + rng.integers(*WIFI_SESSION, len(user))))

    established = persons[people.created[persons] < start]

    # Small dynamic pools: an ISP or carrier region rotates a few addresses among a few subscribers, each
    # address passing from subscriber to subscriber, mostly with a gap and sometimes overlapping. The same
    # subscribers meet again on the pool's other addresses: the shape of a recycling ring, with no money.
    subscribers = established[rng.random(len(established)) < decoys.dynamic_pool_share]
    if len(subscribers):
        subscribers = subscribers[np.argsort(people.country[subscribers], kind="stable")]
        pool_of = split_into_groups(len(subscribers), decoys.dynamic_pool_users.draw(rng, len(subscribers)))
        country_run = np.cumsum(starts_of_runs(people.country[subscribers]))
        _, pool_of = np.unique(pair_key(country_run, pool_of), return_inverse=True)  # a pool never spans countries
        pool_start = np.flatnonzero(starts_of_runs(pool_of))
        pool_users = np.diff(np.r_[pool_start, len(pool_of)])
        n_pool_ips = decoys.dynamic_pool_ips.draw(rng, len(pool_users))
        ip_pool = np.repeat(np.arange(len(pool_users)), n_pool_ips)
        ip = new_ips(RESIDENTIAL, people.country[subscribers[pool_start[ip_pool]]])
        holders = pool_users[ip_pool]  # every subscriber of the pool holds each of its addresses once, in a random order
        slot = np.repeat(pool_start[ip_pool], holders) + ranks_within(holders)
        user = subscribers[slot[np.lexsort((rng.random(len(slot)), np.repeat(np.arange(len(ip)), holders)))]]
        lease = (decoys.dynamic_lease_hours.draw(rng, len(user)) * HOUR).astype(np.int64)
        gap = (rng.uniform(*LEASE_GAP, len(user)) * lease).astype(np.int64)
        longest = np.maximum.reduceat(lease + np.maximum(gap, 0), np.cumsum(holders) - holders) * holders
        first, last = successions(holders, uniform_times(np.full(len(ip), start), np.maximum(end - longest, start), rng), lease, gap)
        inside = (first >= start) & (last <= end) & (first < last)
        parts.append(link_rows(user[inside], np.repeat(ip, holders)[inside], first[inside], last[inside]))
        # Some pools serve one building whose tenants all pay one landlord.
        rented = rng.random(len(pool_users)) < decoys.pool_landlord_share
        tenant = np.flatnonzero(rented[pool_of])
        landlord = established[rng.integers(0, len(established), len(pool_users))]
        groups = co_users(subscribers[tenant], landlord[pool_of[tenant]], np.full(len(tenant), PAYS_RENT))

    # Hotel, airport and campus Wi-Fi: one address, guest after guest over the horizon.
    n_hotels = round(people.n * decoys.hotel_wifi_per_10k / 10_000)
    if n_hotels and len(established):
        guests = decoys.hotel_guests.draw(rng, n_hotels)
        hotel = new_ips(BUSINESS_NET, choose(vocab.COUNTRY_WEIGHTS, n_hotels, rng))
        user = established[rng.integers(0, len(established), int(guests.sum()))]
        stay = (decoys.hotel_stay_days.draw(rng, len(user)) * DAY).astype(np.int64)
        first, last = successions(guests, uniform_times(np.full(n_hotels, start), np.full(n_hotels, end - 30 * DAY), rng), stay,
                                  (rng.uniform(*HOTEL_GAP_DAYS, len(user)) * DAY).astype(np.int64))
        inside = (first >= start) & (last <= end) & (first < last)
        parts.append(link_rows(user[inside], np.repeat(hotel, guests)[inside], first[inside], last[inside]))

    ips = pa.table(_concat(ip_parts))
    return ips, _links_table(parts, "ip_id"), groups
