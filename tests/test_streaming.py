"""Streamed answers (pages, downloads) stay streamed under ASGI, a block at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from pluto.server.streaming import BLOCK_BYTES, BlockStreamingResponse

PART = b"x" * 65536


def test_asgi_body_is_read_block_by_block_not_all_at_once() -> None:
    consumed: list[int] = []

    def parts() -> Iterator[bytes]:
        for index in range(400):  # 25 MiB in 64 KiB parts
            consumed.append(index)
            yield PART

    response = BlockStreamingResponse(parts(), content_type="application/octet-stream")

    async def first_block_and_rest() -> tuple[int, int, list[int]]:
        blocks = aiter(response)
        first = await anext(blocks)
        seen_after_first = len(consumed)
        sizes = [len(first)] + [len(block) async for block in blocks]
        return len(first), seen_after_first, sizes

    first_size, seen_after_first, sizes = asyncio.run(first_block_and_rest())

    assert first_size == BLOCK_BYTES
    assert seen_after_first == BLOCK_BYTES // len(PART)
    assert sum(sizes) == 400 * len(PART)
    assert max(sizes) == BLOCK_BYTES


def test_wsgi_body_still_streams_every_byte() -> None:
    response = BlockStreamingResponse(iter([b"a", b"b", b"c"]), content_type="text/plain")

    assert b"".join(response) == b"abc"
