from ws_kit import App, WebSocket
from ws_kit.channels import ChannelsPlugin


def signed_in(socket: WebSocket) -> bool:
    return socket.cookies.get("session") == "valid"  # your session check here


channels = ChannelsPlugin(
    channels=["news", "sport"],
    create_ws_route_handlers=True,  # ws://…/live/news and ws://…/live/sport
    ws_handler_base_path="/live/",
    ws_handler_send_history=10,  # the last 10 events on connect (-1: all there are)
    ws_handler_guards=[signed_in],  # refused with 403 otherwise
)
app = App([], plugins=[channels])
