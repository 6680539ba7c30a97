"""The shared HTTP client keeps a connection per edit the queue can run: a batch at full
concurrency reuses its connections instead of opening one per request."""

from __future__ import annotations

import asyncio

from qwen_studio.core.editing.queue import MAX_CONCURRENCY
from qwen_studio.core.http_session import make_http_client


async def _serve_and_count(requests_per_worker: int) -> int:
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    break
                await asyncio.sleep(0.01)  # a little latency, so the workers overlap
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, make_http_client() as http:

        async def worker() -> None:
            for _ in range(requests_per_worker):
                r = await http.get(f"http://127.0.0.1:{port}/")
                assert r.text == "ok"

        await asyncio.gather(*(worker() for _ in range(MAX_CONCURRENCY)))
    return connections


def test_a_batch_at_full_concurrency_reuses_its_connections() -> None:
    # 16 edits in flight, 5 requests each: 16 connections, not one per request over 8.
    assert asyncio.run(_serve_and_count(5)) <= MAX_CONCURRENCY
