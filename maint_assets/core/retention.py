"""Which backups to keep: the last N, plus the newest of each of the last W weeks and of each
of the last M months (a grandfather-father-son rotation)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import dagster as dg
from pydantic import Field


class RetentionPolicy(dg.Config):
    keep_last: int = Field(default=7, ge=1, description="the newest artifacts, whatever their age")
    keep_weekly: int = Field(
        default=4, ge=0, description="the newest artifact of each of the last N ISO weeks"
    )
    keep_monthly: int = Field(
        default=12, ge=0, description="the newest artifact of each of the last N months"
    )

    def kept(self, created: Sequence[datetime]) -> set[datetime]:
        """The creation times, among ``created``, that this policy keeps."""
        newest_first = sorted(set(created), reverse=True)
        keep = set(newest_first[: self.keep_last])
        keep |= _newest_per_period(newest_first, self.keep_weekly, _iso_week)
        keep |= _newest_per_period(newest_first, self.keep_monthly, _month)
        return keep


def _iso_week(at: datetime) -> tuple[int, int]:
    year, week, _ = at.isocalendar()
    return year, week


def _month(at: datetime) -> tuple[int, int]:
    return at.year, at.month


def _newest_per_period(
    newest_first: list[datetime], periods: int, period_of: Callable[[datetime], tuple[int, int]]
) -> set[datetime]:
    # The periods counted are the ones that hold an artifact: a gap of a few weeks without
    # backups does not use up the weekly slots.
    chosen: dict[tuple[int, int], datetime] = {}
    for at in newest_first:
        if len(chosen) == periods:
            break
        chosen.setdefault(period_of(at), at)
    return set(chosen.values())
