"""Is the test Redis there? (Tests that need it fail under CI=true and skip elsewhere when not.)"""
from __future__ import annotations


def redis_answers(url: str, timeout: float = 1.0) -> bool:
    from redis import Redis

    client = Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()
