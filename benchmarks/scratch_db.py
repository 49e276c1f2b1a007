"""Throw-away PostgreSQL databases for the benchmarks: one per run, dropped afterwards.

The server is the machine's own (``BENCH_PG_URL``, trust auth on 127.0.0.1:5432 by default); a
run that finds nothing listening skips its PostgreSQL half instead of failing.
"""

from __future__ import annotations

import os
import secrets
import socket

PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def create(prefix: str) -> str:
    """A new empty database named after *prefix*, the process and a random tail; its URL."""
    import psycopg

    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
