"""How many connections each web process of one ``pluto serve`` holds, shared between them.

The web processes accept on one socket. Left to the kernel, a burst of new connections goes
to whichever process wakes first, and kept-alive connections stay where they landed: 50
clients opening at once were split 13 and 37 between two processes, and the 37 waited
three times as long for each answer (p99 at 7x p50 on ``lab/me/``, against 2.5x when split
evenly). So each process publishes its count here, and a process holding more connections
than another leaves a new connection to it for a moment (see :mod:`pluto.server.gthread`).

The board is a small shared memory the supervisor creates and every web process maps: one
32-bit count per process, :data:`NOT_SERVING` while a process is not accepting (loading,
stopped or dead), so that nobody waits on it.
"""

from __future__ import annotations

import mmap
import os

NOT_SERVING = 2**31 - 1
SLOT_BYTES = 4


def create_board(processes: int) -> int:
    """A new board for ``processes`` web processes, every one not serving; its descriptor
    (inheritable, for the web processes to map)."""
    fd = os.memfd_create("pluto-web-connections", 0)
    os.ftruncate(fd, processes * SLOT_BYTES)
    os.set_inheritable(fd, True)
    for slot in range(processes):
        ConnectionBoard(fd, slot).leave()
    return fd


class ConnectionBoard:
    """One web process's view of the board: its own slot, and the others'."""

    def __init__(self, fd: int, slot: int) -> None:
        self.memory = mmap.mmap(fd, 0)
        self.counts = memoryview(self.memory).cast("i")
        if not 0 <= slot < len(self.counts):
            raise ValueError(f"slot {slot} is not on a board of {len(self.counts)} processes")
        self.slot = slot

    def publish(self, connections: int) -> None:
        """This process now holds ``connections`` connections."""
        self.counts[self.slot] = connections

    def leave(self) -> None:
        """This process accepts no more connections (it is stopping, or has ended)."""
        self.counts[self.slot] = NOT_SERVING

    def fewest_elsewhere(self) -> int:
        """The fewest connections another serving process holds (:data:`NOT_SERVING` when
        none serves)."""
        others = (count for slot, count in enumerate(self.counts) if slot != self.slot)
        return min(others, default=NOT_SERVING)
