"""Waiting for a condition inside the event loop, as tests of task interplay need."""

import asyncio
from collections.abc import Callable

PATIENCE = 5.0  # seconds before a condition that never comes fails the test


async def until(condition: Callable[[], bool]) -> None:
    """Let the other tasks run until the condition holds (TimeoutError after PATIENCE)."""
    async with asyncio.timeout(PATIENCE):
        # The conditions are plain states of a writer task, with no event to wait on.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0)  # one turn of the loop, then look again
