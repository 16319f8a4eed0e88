"""A listener that fails, to see how its traceback is logged under a server's defaults.

With ``E2E_APP_LOGGING=basic`` the application configures logging itself, as
an application that wants control does.
"""

import logging
import os

from ws_kit import App, websocket_listener

if os.environ.get("E2E_APP_LOGGING") == "basic":
    logging.basicConfig(format="APP %(levelname)s [%(name)s] %(message)s")


@websocket_listener("/fail")
async def fail(data: str) -> str:
    raise LookupError(f"no such thing: {data}")


app = App([fail])
