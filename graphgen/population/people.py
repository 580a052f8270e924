"""Users: businesses (employers, merchants, utilities, exchanges) and people living in households."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graphgen.config import GraphgenConfig
from graphgen import vocab
from graphgen.sampling import DAY, choose, popularity, ranks_within, split_into_groups, uniform_times

PERSON, EMPLOYER, MERCHANT, UTILITY, EXCHANGE = range(5)
BUSINESS_SEGMENT = vocab.SEGMENTS.index("business")
UTILITY_SHARE, EXCHANGE_SHARE = 0.02, 0.02  # of businesses, at least one each
MERCHANT_SHARE = 0.4  # of the other businesses; the rest employ people
ARRIVED_WITHIN_DAYS = 365  # new arrivals' flat-shares formed this long before the horizon at most
EMPLOYER_POPULARITY = 1.1  # Zipf exponent: a few large employers, many small ones


@dataclass
class People:
    """Who the users are and how they live together; arrays are indexed by user (generation order)."""

    kind: np.ndarray  # PERSON or a business kind
    created: np.ndarray  # ms
    country: np.ndarray  # code into vocab.COUNTRIES
    segment: np.ndarray  # code into vocab.SEGMENTS
    household: np.ndarray  # household index per user, -1 for businesses
    household_members: np.ndarray  # user indices sorted by household
    household_offsets: np.ndarray  # members of h: household_members[offsets[h]:offsets[h+1]]
    household_country: np.ndarray
    roommates: np.ndarray  # per household: a flat-share rather than a family
    arrivals: np.ndarray | None = None  # per household: new arrivals who signed up together (settle_new_arrivals)

    @property
    def n(self) -> int:
        return len(self.kind)

    @property
    def n_households(self) -> int:
        return len(self.household_offsets) - 1

    @property
    def household_size(self) -> np.ndarray:
        return np.diff(self.household_offsets)

    @property
    def household_head(self) -> np.ndarray:
        return self.household_members[self.household_offsets[:-1]]

    @property
    def family(self) -> np.ndarray:
        """Family (multi-person, not a flat-share) of each user, -1 for everyone else: families share a surname."""
        hh = self.household  # -1 reads the extra last entry below, also when there are no households
        roommates, size = np.append(self.roommates, True), np.append(self.household_size, 0)
        return np.where(~roommates[hh] & (size[hh] >= 2), hh, -1)

    def in_households(self, flags: np.ndarray) -> np.ndarray:
        """Per user, the flag (per household) of their household; False for businesses."""
        return np.append(flags, False)[self.household]  # -1 reads the extra last entry

    def of_kind(self, kind: int) -> np.ndarray:
        return np.flatnonzero(self.kind == kind)


def business_kinds(n_business: int) -> np.ndarray:
    """Split businesses into a few utilities and exchanges, some merchants and many employers."""
    if n_business == 0:
        return np.zeros(0, dtype=np.int8)
    n_utility = min(n_business, max(1, round(UTILITY_SHARE * n_business)))
    n_exchange = min(n_business - n_utility, max(1, round(EXCHANGE_SHARE * n_business)))
    n_merchant = round(MERCHANT_SHARE * (n_business - n_utility - n_exchange))
    n_employer = n_business - n_utility - n_exchange - n_merchant
    counts = [n_employer, n_merchant, n_utility, n_exchange]
    return np.repeat(np.array([EMPLOYER, MERCHANT, UTILITY, EXCHANGE], dtype=np.int8), counts)


def grow_people(config: GraphgenConfig, start: int, end: int, rng: np.random.Generator) -> People:
    """Create the users and group the people into households (families and flat-shares)."""
    pop, decoys = config.population, config.decoys
    n = config.users
    n_business = min(n, round(n * pop.business_share))
    kind = np.concatenate([business_kinds(n_business), np.full(n - n_business, PERSON, dtype=np.int8)])
    persons = np.flatnonzero(kind == PERSON)

    created = np.empty(n, dtype=np.int64)
    history = int(pop.history_years * 365 * DAY)
    is_new = rng.random(n) < pop.new_user_share
    is_new[:n_business] = False
    created[is_new] = uniform_times(np.full(is_new.sum(), start), np.full(is_new.sum(), end - DAY), rng)
    old = ~is_new
    created[old] = start - (rng.random(old.sum()) * history).astype(np.int64) - DAY

    # Households: a share of people live with others; everyone else is a household of one.
    order = rng.permutation(persons)
    n_shared = round(len(persons) * decoys.household_share)
    sizes = decoys.household_size.draw(rng, n_shared // 2 + 1)
    group = split_into_groups(n_shared, sizes)
    n_multi = int(group.max()) + 1 if n_shared else 0
    household = np.full(n, -1, dtype=np.int64)
    household[order[:n_shared]] = group
    household[order[n_shared:]] = n_multi + np.arange(len(persons) - n_shared)
    n_households = n_multi + len(persons) - n_shared
    household_members = order  # already grouped: multi-person households first, in group order
    household_offsets = np.searchsorted(household[household_members], np.arange(n_households + 1))
    sizes = np.diff(household_offsets)
    roommates = (sizes >= 2) & (rng.random(n_households) < decoys.roommate_share)

    household_country = choose(vocab.COUNTRY_WEIGHTS, n_households, rng)
    country = choose(vocab.COUNTRY_WEIGHTS, n, rng)
    country[persons] = household_country[household[persons]]
    segment = np.full(n, BUSINESS_SEGMENT, dtype=np.int8)
    segment[persons] = choose(vocab.SEGMENT_WEIGHTS_PERSON, len(persons), rng)
    return People(
        kind=kind, created=created, country=country.astype(np.int8), segment=segment,
        household=household, household_members=household_members, household_offsets=household_offsets,
        household_country=household_country, roommates=roommates,
    )


def settle_new_arrivals(people: People, share: float, within_days, start: int, end: int, rng: np.random.Generator) -> None:
    """Flat-shares of students and new arrivals: they arrived in the last year or during the horizon and all
    members sign up within days of each other (in place).

    Synthetic identities opened together at one address look like this, so an address shared by young customers
    who signed up together is no proof of a ring.
    """
    people.arrivals = people.roommates & (rng.random(people.n_households) < share)
    arrivals = np.flatnonzero(people.arrivals)
    sizes = people.household_size[arrivals]
    members = people.household_members[np.repeat(people.household_offsets[arrivals], sizes) + ranks_within(sizes)]
    first = uniform_times(np.full(len(arrivals), start - ARRIVED_WITHIN_DAYS * DAY), np.full(len(arrivals), end - DAY), rng)
    days = np.repeat(within_days.draw(rng, len(arrivals)), sizes)
    later = np.repeat(first, sizes) + (rng.random(len(members)) * days * DAY).astype(np.int64)
    people.created[members] = np.minimum(later, end - DAY)


def shared_phones(people: People, share: float, rng: np.random.Generator) -> np.ndarray:
    """Phone group of each user (-1: their own number): in a share of families two members give one number, a
    parent's for a child's or an elderly relative's account."""
    families = np.flatnonzero((people.household_size >= 2) & ~people.roommates & (rng.random(people.n_households) < share))
    group = np.full(people.n, -1, dtype=np.int64)
    first = people.household_offsets[families]
    for k in (0, 1):
        group[people.household_members[first + k]] = families
    return group


def assign_employers(people: People, employed_share: float, rng: np.random.Generator) -> np.ndarray:
    """Employer (a user index) of each employed person, -1 otherwise; big employers employ many."""
    employer_of = np.full(people.n, -1, dtype=np.int64)
    employers = people.of_kind(EMPLOYER)
    if not len(employers):
        return employer_of
    employed = people.of_kind(PERSON)
    employed = employed[rng.random(len(employed)) < employed_share]
    employer_of[employed] = employers[choose(popularity(len(employers), EMPLOYER_POPULARITY, rng), len(employed), rng)]
    return employer_of
