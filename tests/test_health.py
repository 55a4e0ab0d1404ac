"""``GET /health/``: a load balancer's check, answered without a database or a key."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.test import Client


def test_health_answers_ok_without_a_key_or_a_query(
    db: None, django_assert_num_queries: Callable[[int], AbstractContextManager[Any]]
) -> None:
    with django_assert_num_queries(0):
        answer = Client().get("/health/")

    assert answer.status_code == 200
    assert answer.content == b"ok\n"
    assert answer["Content-Type"].startswith("text/plain")


def test_health_refuses_writes(db: None) -> None:
    assert Client().post("/health/").status_code == 405
