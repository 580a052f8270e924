"""When people pay: weekly profiles per channel, business days, and one within-day warp for everything else.

Card payments happen by day and in the evening, more on Saturdays, hardly at 1-5 am; transfers between people
peak in the evening; salaries, standing orders and direct debits run in the morning on business days.
Sampled payments are drawn from their channel's weekly profile directly. Times that were placed by other
means (sign-ups, device and IP windows, scheduled payments, fraud included) go through :func:`warp_days`, a
monotone map of each day onto itself that makes uniform times follow people's waking hours; being monotone
and fixing midnight, it keeps every ordering and containment those times were built with.
"""

from __future__ import annotations

import numpy as np

from graphgen.sampling import DAY, HOUR
from graphgen.vocab import CHANNELS

EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)
WEEK = 7 * DAY

# Relative activity per hour of the day (0-23) and per day of the week (Monday first).
_AWAKE = np.array([0.2, 0.1, 0.05, 0.04, 0.04, 0.07, 0.18, 0.4, 0.6, 0.75, 0.85, 0.95,
                   1.05, 1.0, 0.95, 0.95, 1.0, 1.15, 1.3, 1.35, 1.3, 1.05, 0.7, 0.4])
_SHOPPING = np.array([0.12, 0.05, 0.03, 0.02, 0.02, 0.05, 0.2, 0.45, 0.7, 0.85, 0.95, 1.05,
                      1.25, 1.15, 1.0, 1.0, 1.1, 1.3, 1.35, 1.2, 0.9, 0.6, 0.4, 0.22])
_BANK_RUN = np.array([0.01, 0.01, 0.01, 0.01, 0.02, 0.1, 0.5, 1.2, 1.6, 1.5, 1.2, 0.9,
                      0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01, 0.01])
_WEEKDAYS_ONLY = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.03, 0.02])
_WEEKEND_SHOPPING = np.array([0.9, 0.9, 0.92, 0.95, 1.05, 1.4, 0.9])
_SOCIAL_WEEK = np.array([0.95, 0.95, 0.95, 1.0, 1.1, 1.15, 1.0])
_PROFILE_OF_CHANNEL = {
    "transfer": (_BANK_RUN, _WEEKDAYS_ONLY), "standing_order": (_BANK_RUN, _WEEKDAYS_ONLY),
    "direct_debit": (_BANK_RUN, _WEEKDAYS_ONLY), "wire": (_BANK_RUN, _WEEKDAYS_ONLY),
    "card": (_SHOPPING, _WEEKEND_SHOPPING), "p2p": (_AWAKE, _SOCIAL_WEEK), "instant": (_AWAKE, _SOCIAL_WEEK),
}
# Hour-of-week weights (Monday 00:00 first), one row per channel code.
WEEKLY = np.stack([np.outer(_PROFILE_OF_CHANNEL[c][1], _PROFILE_OF_CHANNEL[c][0]).ravel() for c in CHANNELS])
_AWAKE_CDF = np.r_[0.0, np.cumsum(_AWAKE) / _AWAKE.sum()]
_DAILY = WEEKLY.reshape(len(CHANNELS), 7, 24).sum(axis=1)
DAILY_CDF = np.hstack([np.zeros((len(CHANNELS), 1)), np.cumsum(_DAILY, axis=1) / _DAILY.sum(axis=1, keepdims=True)])


def weekday(ts: np.ndarray) -> np.ndarray:
    """Day of the week, Monday = 0."""
    return (ts // DAY + EPOCH_WEEKDAY) % 7


def draw_in_profile(low: np.ndarray, high: np.ndarray, profile: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Times in ``[low, high]`` whose density follows each row's weekly ``profile`` (a channel code).

    Exact inverse-CDF sampling: the cumulative weight of the weekly profile is piecewise linear in time, so a
    uniform draw between the cumulative weights of ``low`` and ``high`` maps back to a time in one pass.
    """
    low, high = np.asarray(low, np.int64), np.asarray(high, np.int64)
    out = low.copy()
    u = rng.random(len(low))
    for code in np.unique(profile):
        mine = np.flatnonzero(profile == code)
        weights = WEEKLY[code]
        cumulative = np.r_[0.0, np.cumsum(weights)]

        def weight_at(t: np.ndarray) -> np.ndarray:
            since_monday = t + EPOCH_WEEKDAY * DAY
            into_week = since_monday % WEEK
            hour = into_week // HOUR
            return (since_monday // WEEK) * cumulative[-1] + cumulative[hour] + (into_week % HOUR) / HOUR * weights[hour]

        lowest = weight_at(low[mine])
        target = lowest + u[mine] * (weight_at(high[mine]) - lowest)
        weeks = np.floor(target / cumulative[-1])
        rest = target - weeks * cumulative[-1]
        hour = np.clip(np.searchsorted(cumulative, rest, side="right") - 1, 0, len(weights) - 1)
        into_hour = np.clip((rest - cumulative[hour]) / weights[hour], 0.0, 1.0)
        t = (weeks.astype(np.int64) * WEEK + hour * HOUR + (into_hour * HOUR).astype(np.int64)) - EPOCH_WEEKDAY * DAY
        out[mine] = np.clip(t, low[mine], high[mine])
    return out


def on_due_day(ts: np.ndarray, earliest: np.ndarray, latest: np.ndarray, profile: np.ndarray, business_day: np.ndarray,
               rng: np.random.Generator) -> np.ndarray:
    """Give payments due on a day an hour from their ``profile`` (a channel code), and move those that must run
    on a ``business_day`` off weekends (to Monday, else the Friday before).

    Payments stay within ``[earliest, latest]``; one that cannot move keeps its time.
    """
    day = ts - ts % DAY
    wd = weekday(ts)
    weekend = business_day & (wd >= 5)
    monday, friday = day + (7 - wd) * DAY, day - (wd - 4) * DAY
    day = np.where(weekend & (monday + DAY <= latest), monday, np.where(weekend & (friday >= earliest), friday, day))
    hour = np.zeros(len(ts))
    u = rng.random(len(ts))
    for code in np.unique(profile):
        mine = profile == code
        hour[mine] = np.interp(u[mine], DAILY_CDF[code], np.arange(25))
    moved = day + (hour * HOUR).astype(np.int64)
    return np.where((moved >= earliest) & (moved <= latest), moved, ts)


def warp_days(ts: np.ndarray) -> np.ndarray:
    """Map each day onto itself so that times spread evenly over it follow people's waking hours."""
    ts = np.asarray(ts, np.int64)
    into_day = ts % DAY
    hours = np.interp(into_day / DAY, _AWAKE_CDF, np.arange(25))
    return ts - into_day + np.minimum((hours * HOUR).astype(np.int64), DAY - 1)

