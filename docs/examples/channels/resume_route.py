from ws_kit import App
from ws_kit.channels import ChannelsPlugin, MemoryChannelsBackend

channels = ChannelsPlugin(
    MemoryChannelsBackend(history=500),  # what a reconnecting client can still catch up on
    channels=["feed"],
    create_ws_route_handlers=True,
    ws_handler_send_history=20,  # a first visit sees the last 20 events
    send_positions=True,  # each message: {"channel", "offset", "epoch", "data"}
)
app = App([], plugins=[channels])
# A client keeps the epoch and offset of the last message it got and reconnects to
# ws://…/feed?since=<epoch>:<offset>: it gets what it missed, then the live events.
