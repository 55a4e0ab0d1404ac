"""Count a request against several rate-limit keys in one database statement.

Every ``pluto serve`` process and machine shares the counts, so they live in the database;
one upsert per request (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, which SQLite and
PostgreSQL both run) replaces the read, count and rewrite of a cached timestamp list that
each limit used to cost: a single short write, whatever the number of limits.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import F

from pluto.server.ratelimits.models import RateCount
from pluto.server.ratelimits.write_turns import write_turn

TABLE = RateCount._meta.db_table
# A window still open keeps its start and counts one more; a closed one starts again at 1.
UPSERT = f"""
INSERT INTO "{TABLE}" ("key", "started", "seconds", "hits") VALUES {{rows}}
ON CONFLICT ("key") DO UPDATE SET
    "hits" = CASE WHEN "{TABLE}"."started" + excluded."seconds" > excluded."started"
        THEN "{TABLE}"."hits" + 1 ELSE 1 END,
    "started" = CASE WHEN "{TABLE}"."started" + excluded."seconds" > excluded."started"
        THEN "{TABLE}"."started" ELSE excluded."started" END,
    "seconds" = excluded."seconds"
RETURNING "key", "started", "hits"
"""


@dataclass(frozen=True)
class Count:
    """How many requests ``key`` has made in its current window, and when that window ends."""

    key: str
    hits: int
    ends: float

    def seconds_left(self, now: float) -> float:
        """How long until the window closes."""
        return max(0.0, self.ends - now)


def count_request(windows: Sequence[tuple[str, float]], now: float | None = None) -> list[Count]:
    """Add one request to each ``(key, window seconds)``; the counts, in the same order."""
    if not windows:
        return []
    now = time.time() if now is None else now
    params = [value for key, seconds in windows for value in (key, now, seconds)]
    sql = UPSERT.format(rows=", ".join(["(%s, %s, %s, 1)"] * len(windows)))
    with write_turn(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = {key: (started, hits) for key, started, hits in cursor.fetchall()}
    seconds_of = dict(windows)
    return [Count(key, returned[key][1], returned[key][0] + seconds_of[key]) for key, _ in windows]


def forget_closed_windows(now: float | None = None) -> int:
    """Delete the counts whose window has closed (a new request starts them again at 1);
    how many were deleted."""
    now = time.time() if now is None else now
    deleted, _ = RateCount.objects.filter(started__lte=now - F("seconds")).delete()
    return deleted
