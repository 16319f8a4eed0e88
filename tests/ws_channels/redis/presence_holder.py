"""A process that tracks one presence entry until it is killed (run by test_presence_redis.py).

``python presence_holder.py URL PREFIX TTL KEY`` tracks ``KEY`` in channel
``room`` on a stream backend, prints ``tracking`` and waits forever.
"""

import os
import sys

import anyio

from ws_channels import ChannelsPlugin, RedisChannelsStreamBackend


async def main(url: str, prefix: str, ttl: str, key: str) -> None:
    backend = RedisChannelsStreamBackend(url=url, key_prefix=prefix, health_check_interval=0.2)
    async with (
        ChannelsPlugin(backend, channels=["room"], presence_ttl=float(ttl)) as channels,
        channels.track("room", key, {"pid": os.getpid()}),
    ):
        print("tracking", flush=True)
        await anyio.sleep_forever()


if __name__ == "__main__":
    url, prefix, ttl, key = sys.argv[1:]
    anyio.run(main, url, prefix, ttl, key)
