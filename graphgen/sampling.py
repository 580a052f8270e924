"""Vectorised sampling helpers shared by the generator stages.

Everything here works on whole arrays at once: groups are expressed as sorted owner arrays or counts,
never as Python loops over entities.
"""

from __future__ import annotations

import numpy as np

MINUTE = 60_000  # milliseconds
HOUR = 60 * MINUTE
DAY = 24 * HOUR
MONTH = int(30.4375 * DAY)


def stage_rng(seed: int, stage: str) -> np.random.Generator:
    """An independent generator per stage, so changing one stage's draws leaves the others unchanged."""
    key = [ord(c) for c in stage]
    return np.random.default_rng(np.random.SeedSequence([seed, *key]))


def ranks_within(counts: np.ndarray) -> np.ndarray:
    """For groups of the given sizes laid out back to back, each element's rank inside its group."""
    counts = np.asarray(counts, dtype=np.int64)
    starts = np.cumsum(counts) - counts
    return np.arange(counts.sum(), dtype=np.int64) - np.repeat(starts, counts)


def cumsum_within(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Running sum of ``values`` restarting at each group of the given sizes."""
    total = np.cumsum(values)
    if not len(total):  # only empty groups
        return total
    starts = np.cumsum(counts) - counts
    before = np.where(starts > 0, total[np.maximum(starts - 1, 0)], 0)
    return total - np.repeat(before, counts)


def time_order(ts: np.ndarray, origin: int, rng: np.random.Generator) -> np.ndarray:
    """Permutation putting rows in time order, ties broken at random (never by generation order).

    Sorts packed ``(time since origin, row)`` values, which is about three times faster than an
    argsort, then shuffles the rows inside each group of equal timestamps.
    """
    n = len(ts)
    rel = np.asarray(ts, np.int64) - origin
    row_bits = max(int(n - 1).bit_length(), 1)
    if n and rel.min() >= 0 and int(rel.max()).bit_length() + row_bits <= 63:
        packed = np.sort((rel << row_bits) | np.arange(n))
        order, sorted_ts = packed & ((1 << row_bits) - 1), packed >> row_bits
    else:
        order = np.argsort(ts, kind="stable")
        sorted_ts = np.asarray(ts)[order]
    tied = np.flatnonzero(sorted_ts[1:] == sorted_ts[:-1])
    if len(tied):
        positions = np.union1d(tied, tied + 1)  # contiguous runs of equal timestamps
        shuffled = positions[np.lexsort((rng.random(len(positions)), sorted_ts[positions]))]
        order[positions] = order[shuffled]
    return order


def pair_key(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One int64 per (first, second) pair of ids, ordered like the pairs (ids fit in 32 bits)."""
    return (np.asarray(first, np.int64) << 32) | np.asarray(second, np.int64)


def pair_parts(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ``(first, second)`` ids of keys made by :func:`pair_key`."""
    return key >> 32, key & 0xFFFFFFFF


def starts_of_runs(sorted_values: np.ndarray) -> np.ndarray:
    """Mask of the first element of each run of equal values in a sorted array (empty in, empty out)."""
    first = np.ones(len(sorted_values), dtype=bool)
    first[1:] = sorted_values[1:] != sorted_values[:-1]
    return first


def group_offsets(sorted_owner: np.ndarray, n_owners: int) -> np.ndarray:
    """``offsets[o]:offsets[o+1]`` is the slice of ``sorted_owner`` equal to ``o``."""
    return np.searchsorted(sorted_owner, np.arange(n_owners + 1))


def popularity(n: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """Zipf-like selection probabilities over ``n`` items in random order (a few very popular items)."""
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    rng.shuffle(weights)
    return weights / weights.sum()


def choose(p: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Indices drawn with replacement from the distribution ``p``."""
    cdf = np.cumsum(p)
    return np.minimum(np.searchsorted(cdf, rng.random(size) * cdf[-1], side="right"), len(p) - 1)


def split_into_groups(n: int, sizes: np.ndarray) -> np.ndarray:
    """Group index for ``n`` items, filling groups of the given sizes in order (the last may be cut)."""
    ends = np.cumsum(sizes)
    used = int(np.searchsorted(ends, n)) + 1
    return np.repeat(np.arange(used), sizes[:used])[:n]


def pick_held_edges(
    owner: np.ndarray,
    ts: np.ndarray,
    edge_owner: np.ndarray,
    edge_first: np.ndarray,
    edge_last: np.ndarray,
    primary: np.ndarray,
    p_primary: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """For each ``(owner, ts)``, one of the owner's edges whose ``[first, last]`` window holds ``ts``.

    ``edge_owner`` must be sorted and ``primary[o]`` is owner ``o``'s primary edge (-1 if none). With
    probability ``p_primary`` the primary edge is used, else a random edge of the owner; whichever is
    used must cover ``ts``. Returns -1 where no edge of the owner covers ``ts``.
    """
    if not len(edge_owner):
        return np.full(len(owner), -1, dtype=np.int64)
    offsets = group_offsets(edge_owner, len(primary))
    start, count = offsets[owner], np.diff(offsets)[owner]

    def covers(edge: np.ndarray, t: np.ndarray) -> np.ndarray:
        return (edge >= 0) & (edge_first[edge] <= t) & (t <= edge_last[edge])

    # Mostly the primary edge; otherwise one of the owner's edges at random. Where the one drawn does
    # not cover ts, the other is tried, and only the few rows left search all the owner's edges.
    has = count > 0
    drawn = np.where(has, start + (rng.random(len(owner)) * count).astype(np.int64), -1)
    prim = primary[owner]
    use_prim = rng.random(len(owner)) < p_primary
    result = np.where(use_prim, prim, drawn)
    other = np.where(use_prim, drawn, prim)
    missed = np.flatnonzero(~covers(result, ts))
    result[missed] = other[missed]
    rest = missed[~covers(other[missed], ts[missed])]
    result[rest] = -1

    query = np.repeat(np.arange(len(rest)), count[rest])  # candidates laid out query by query
    cand = np.repeat(start[rest], count[rest]) + ranks_within(count[rest])
    covering = np.flatnonzero(covers(cand, ts[rest][query]))
    # A uniform choice among each query's covering candidates, which sit contiguously in `covering`.
    n_cov = np.bincount(query[covering], minlength=len(rest))
    first = np.cumsum(n_cov) - n_cov
    found = n_cov > 0
    pick = first[found] + (rng.random(int(found.sum())) * n_cov[found]).astype(np.int64)
    result[rest[found]] = cand[covering[pick]]
    return result


def uniform_times(low: np.ndarray, high: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Integer millisecond times drawn uniformly from ``[low, high]`` element-wise."""
    low = np.asarray(low, dtype=np.int64)
    span = np.maximum(np.asarray(high, dtype=np.int64) - low, 0)
    return low + (rng.random(len(span)) * span).astype(np.int64)


def in_windows(user: np.ndarray, ts: np.ndarray, windows: dict[str, np.ndarray], n_users: int) -> np.ndarray:
    """Whether each ``(user, ts)`` falls in its user's window ``[from, to)``; ``windows`` holds at most one per user
    (columns ``user``, ``from``, ``to``, as the ``_quiet`` working table)."""
    start = np.zeros(n_users, np.int64)
    stop = np.zeros_like(start)
    start[windows["user"]], stop[windows["user"]] = windows["from"], windows["to"]
    return (ts >= start[user]) & (ts < stop[user])
