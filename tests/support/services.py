"""Whether the machine's shared services answer, so a test that needs one can skip with why."""

from __future__ import annotations

import socket


def redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False
