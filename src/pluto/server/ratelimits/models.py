"""The request counts behind the API's rate limits, one row per counted key or address."""

from __future__ import annotations

from django.db import models


class RateCount(models.Model):
    """Requests counted for ``key`` in the window that opened at ``started`` (Unix seconds)
    and lasts ``seconds``; the next request after it closes opens a new one."""

    key = models.CharField(max_length=200, primary_key=True)
    started = models.FloatField()
    seconds = models.FloatField()
    hits = models.IntegerField()

    class Meta:
        db_table = "pluto_rate_count"

    def __str__(self) -> str:
        return f"{self.key}: {self.hits} since {self.started}"
