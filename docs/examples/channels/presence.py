import anyio

from ws_kit import App, WebSocket, websocket
from ws_kit.channels import ChannelsPlugin

channels = ChannelsPlugin(arbitrary_channels_allowed=True)


@websocket("/rooms/{room:str}")
async def room(socket: WebSocket, channels: ChannelsPlugin, room: str, name: str) -> None:
    await socket.accept()
    # One entry per connection: a user with two tabs is present twice.
    meta = {"agent": socket.headers.get("user-agent", "")}
    async with channels.track(room, name, meta), anyio.create_task_group() as tasks:

        async def tell_who_is_here() -> None:
            async with channels.presence_events(room) as diffs:
                async for diff in diffs:  # first the whole room, then who came and went
                    await socket.send_json({"joined": diff.joins, "left": diff.leaves})

        tasks.start_soon(tell_who_is_here)
        async for _ in socket.iter_text():  # until the client leaves
            pass
        tasks.cancel_scope.cancel()


app = App([room], plugins=[channels])
