"""Streaming responses that stay streamed under ASGI, with bounded memory.

Django serves a ``StreamingHttpResponse`` over a synchronous iterator on ASGI by first
collecting the whole body into a list. This response instead pulls the iterator in a worker
thread a block at a time, so a 5 GB download or a 160 MB page never sits in memory whole.
Under WSGI (and Django's test client) it behaves as the ordinary streaming response.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse

BLOCK_BYTES = 8 * 1024 * 1024


def next_block(parts: Iterator[bytes], size: int = BLOCK_BYTES) -> bytes:
    """Join the iterator's next parts into one block of about ``size`` bytes (b"" at the end)."""
    block = bytearray()
    for part in parts:
        block += part
        if len(block) >= size:
            break
    return bytes(block)


class BlockStreamingResponse(StreamingHttpResponse):
    """A streaming response whose ASGI body is read block by block in a thread."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        parts = iter(self.streaming_content)
        read = sync_to_async(next_block, thread_sensitive=False)
        while block := await read(parts):
            yield block
