"""A worker with no ASGI app: it runs the plugin on its own and publishes."""

import anyio
import anyio.lowlevel

from ws_kit.channels import ChannelsBackend, ChannelsPlugin, MemoryChannelsBackend


async def work(backend: ChannelsBackend, jobs: int) -> None:
    async with ChannelsPlugin(backend, channels=["jobs"]) as channels:
        for job in range(jobs):
            await anyio.lowlevel.checkpoint()  # the job's real work goes here
            await channels.wait_published({"job": job, "status": "done"}, "jobs")


if __name__ == "__main__":
    # In one process with the app, pass the app's backend; across processes,
    # give both the same Redis backend instead (see "Channels on Redis").
    anyio.run(work, MemoryChannelsBackend(history=10), 3)
