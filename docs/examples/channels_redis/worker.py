"""A process without a web server that publishes into the rooms: a job, a cron task, a consumer."""

import os

import anyio

from ws_kit.channels import ChannelsPlugin, RedisChannelsStreamBackend

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


async def main() -> None:
    backend = RedisChannelsStreamBackend(history=100, url=REDIS_URL, key_prefix="chat")
    async with ChannelsPlugin(backend, arbitrary_channels_allowed=True) as channels:
        # Returns once Redis holds the event: the process may exit right after.
        await channels.wait_published({"notice": "maintenance at 22:00"}, "lobby")


if __name__ == "__main__":
    anyio.run(main)
