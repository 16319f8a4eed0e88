"""Start the chat demo with uvicorn: ``python -m docs.examples.chat [--port N]``."""

import argparse
import socket

import uvicorn

from .app import DEFAULT_PORT, create_app


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m docs.examples.chat", description=__doc__)
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"port on 127.0.0.1 (default: {DEFAULT_PORT} if free, else any free port; 0: any)",
    )
    parser.add_argument(
        "--allow-origin",
        action="append",
        dest="origins",
        metavar="ORIGIN",
        help="a browser origin allowed to connect (repeatable; default: the demo's own page)",
    )
    args = parser.parse_args(argv)

    port = args.port
    if port is None:
        port = DEFAULT_PORT if port_is_free(DEFAULT_PORT) else free_port()
    elif port == 0:
        port = free_port()

    app = create_app(port=port, allowed_origins=args.origins)
    print(f"ws-kit chat demo: open http://127.0.0.1:{port}/ in two browser windows", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info")


if __name__ == "__main__":
    main()
