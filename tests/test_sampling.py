"""Properties of the vectorised helpers every stage is built from (hypothesis draws the inputs)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from graphgen.population.payments import run_cards_up
from graphgen.sampling import (choose, cumsum_within, group_offsets, in_windows, pair_key, pair_parts, pick_held_edges,
                               ranks_within, split_into_groups, starts_of_runs, time_order, uniform_times)

counts = hnp.arrays(np.int64, st.integers(0, 30), elements=st.integers(0, 6))
seeds = st.integers(0, 2**32 - 1)


@given(counts)
def test_ranks_and_running_sums_restart_at_each_group(sizes):
    ranks = ranks_within(sizes)
    expected = [r for n in sizes for r in range(n)]
    np.testing.assert_array_equal(ranks, expected)
    values = np.arange(1, int(sizes.sum()) + 1, dtype=float)
    running = cumsum_within(values, sizes)
    start = 0
    for n in sizes:
        np.testing.assert_allclose(running[start:start + n], np.cumsum(values[start:start + n]))
        start += n


@given(hnp.arrays(np.int64, st.integers(0, 200), elements=st.integers(0, 50)), seeds)
def test_time_order_sorts_and_breaks_ties_at_random(ts, seed):
    order = time_order(ts, 0, np.random.default_rng(seed))
    assert sorted(order.tolist()) == list(range(len(ts)))
    assert (np.diff(ts[order]) >= 0).all()


def test_time_order_does_not_keep_generation_order_among_ties():
    ts = np.zeros(1000, dtype=np.int64)
    order = time_order(ts, 0, np.random.default_rng(1))
    assert not np.array_equal(order, np.arange(1000))


@given(hnp.arrays(np.int64, st.integers(0, 50), elements=st.integers(0, 2**31 - 1)),
       hnp.arrays(np.int64, st.integers(0, 50), elements=st.integers(0, 2**31 - 1)))
def test_pair_keys_round_trip_and_order_like_the_pairs(first, second):
    n = min(len(first), len(second))
    first, second = first[:n], second[:n]
    keys = pair_key(first, second)
    a, b = pair_parts(keys)
    np.testing.assert_array_equal(a, first)
    np.testing.assert_array_equal(b, second)
    assert np.array_equal(np.argsort(keys, kind="stable"), np.lexsort((second, first)))


@given(hnp.arrays(np.int64, st.integers(0, 60), elements=st.integers(0, 9)).map(np.sort))
def test_run_starts_and_group_offsets(owner):
    first = starts_of_runs(owner)
    assert first.sum() == len(np.unique(owner))
    offsets = group_offsets(owner, 10)
    for o in range(10):
        assert (owner[offsets[o]:offsets[o + 1]] == o).all()
        assert offsets[o + 1] - offsets[o] == (owner == o).sum()


@given(hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(0, 10)), st.integers(0, 500), seeds)
def test_choose_never_picks_an_impossible_item(weights, size, seed):
    if weights.sum() == 0:
        weights[0] = 1.0
    picked = choose(weights / weights.sum(), size, np.random.default_rng(seed))
    assert len(picked) == size and ((picked >= 0) & (picked < len(weights))).all()
    assert (weights[picked] > 0).all()


@given(st.integers(0, 100), hnp.arrays(np.int64, st.integers(1, 40), elements=st.integers(1, 8)))
def test_split_into_groups_fills_groups_in_order(n, sizes):
    if sizes.sum() < n:
        sizes = np.append(sizes, n)
    group = split_into_groups(n, sizes)
    assert len(group) == n and (np.diff(group) >= 0).all()
    assert (np.bincount(group, minlength=len(sizes))[:len(sizes)] <= sizes).all()


@given(hnp.arrays(np.int64, st.integers(0, 50), elements=st.integers(-10**6, 10**6)), st.integers(0, 10**6), seeds)
def test_uniform_times_stay_in_their_window(low, width, seed):
    times = uniform_times(low, low + width, np.random.default_rng(seed))
    assert ((times >= low) & (times <= low + width)).all()


@st.composite
def holdings(draw):
    """Owners with edges (time windows) sorted by owner, a primary edge per owner, and queries."""
    n_owners = draw(st.integers(1, 6))
    per_owner = draw(st.lists(st.integers(0, 4), min_size=n_owners, max_size=n_owners))
    edge_owner = np.repeat(np.arange(n_owners), per_owner)
    first = np.array(draw(st.lists(st.integers(0, 100), min_size=len(edge_owner), max_size=len(edge_owner))), dtype=np.int64)
    length = np.array(draw(st.lists(st.integers(0, 100), min_size=len(edge_owner), max_size=len(edge_owner))), dtype=np.int64)
    primary = np.full(n_owners, -1, dtype=np.int64)
    starts = np.cumsum(per_owner) - per_owner
    has = np.array(per_owner) > 0
    primary[has] = starts[has]
    n_queries = draw(st.integers(0, 30))
    owner = np.array(draw(st.lists(st.integers(0, n_owners - 1), min_size=n_queries, max_size=n_queries)), dtype=np.int64)
    ts = np.array(draw(st.lists(st.integers(0, 220), min_size=n_queries, max_size=n_queries)), dtype=np.int64)
    return owner, ts, edge_owner, first, first + length, primary


@settings(max_examples=200)
@given(holdings(), st.floats(0, 1), seeds)
def test_picked_edges_are_held_by_the_owner_at_that_time(case, p_primary, seed):
    owner, ts, edge_owner, first, last, primary = case
    picked = pick_held_edges(owner, ts, edge_owner, first, last, primary, p_primary, np.random.default_rng(seed))
    for i, edge in enumerate(picked):
        covering = (edge_owner == owner[i]) & (first <= ts[i]) & (ts[i] <= last)
        if edge < 0:
            assert not covering.any(), "an edge covered the time but none was picked"
        else:
            assert covering[edge], "the picked edge is not the owner's or does not cover the time"


@given(hnp.arrays(np.int64, st.integers(0, 20), elements=st.integers(1, 6)), st.floats(0, 1), st.floats(0, 1), seeds)
def test_cards_run_up_spend_what_was_asked_within_the_window(n_buys, bounce_share, again_share, seed):
    """Bust-outs and card defaults share this: the purchases add up to each card's spend, all within its window;
    only bounced cards spend again, after the bounce and within the window."""
    rng = np.random.default_rng(seed)
    n = len(n_buys)
    spend = rng.uniform(10, 5000, n)
    start = rng.integers(0, 10**9, n)
    end = start + rng.integers(0, 10**8, n)
    run = run_cards_up(spend, start, end, n_buys, bounce_share, again_share, (0.2, 0.8), rng)
    first, again = ~run.again, run.again
    buy_of, again_of = run.purchase_of[first], run.purchase_of[again]
    np.testing.assert_allclose(np.bincount(buy_of, weights=run.purchase_amount[first], minlength=n), spend)
    np.testing.assert_array_equal(np.bincount(buy_of, minlength=n), n_buys)
    assert ((run.purchase_at[first] >= start[buy_of]) & (run.purchase_at[first] <= end[buy_of])).all()
    assert ((run.bounced_at >= start[run.bounced]) & (run.bounced_at <= end[run.bounced])).all()
    assert np.isin(again_of, run.bounced).all()
    bounced_at = dict(zip(run.bounced.tolist(), run.bounced_at.tolist()))
    assert all(bounced_at[c] <= t <= end[c] for c, t in zip(again_of.tolist(), run.purchase_at[again].tolist()))
    assert ((run.purchase_amount[again] >= 0.2 * spend[again_of]) & (run.purchase_amount[again] <= 0.8 * spend[again_of])).all()


@given(st.integers(1, 8), hnp.arrays(np.int64, st.integers(0, 40), elements=st.integers(0, 100)), seeds)
def test_in_windows_matches_each_users_window(n_users, ts, seed):
    rng = np.random.default_rng(seed)
    users = rng.permutation(n_users)[:rng.integers(0, n_users + 1)]
    start = rng.integers(0, 100, len(users))
    windows = {"user": users, "from": start, "to": start + rng.integers(0, 50, len(users))}
    user = rng.integers(0, n_users, len(ts))
    inside = in_windows(user, ts, windows, n_users)
    window_of = {u: (a, b) for u, a, b in zip(users.tolist(), windows["from"].tolist(), windows["to"].tolist())}
    expected = [u in window_of and window_of[u][0] <= t < window_of[u][1] for u, t in zip(user.tolist(), ts.tolist())]
    np.testing.assert_array_equal(inside, expected)
