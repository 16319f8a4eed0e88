"""Start the chat demo with uvicorn: ``python -m docs.examples.chat [--workers N --redis URL]``."""

import argparse
import os
import socket

import uvicorn

from .app import DEFAULT_PORT, ORIGINS_VARIABLE, PORT_VARIABLE, REDIS_VARIABLE

# uvicorn's workers import the app themselves: they need its import string.
APP_FACTORY = f"{__package__}.app:app_from_environment"


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
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="keep the rooms on this Redis, e.g. redis://127.0.0.1:6379/0 "
        "(default: in memory, one process)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes (default: 1; more than 1 needs --redis)",
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.workers > 1 and args.redis is None:
        parser.error(
            "--workers above 1 needs --redis URL: the workers share nothing but Redis, "
            "so with rooms in memory, members served by different workers would never "
            "see each other's messages or presence"
        )

    port = args.port
    if port is None:
        port = DEFAULT_PORT if port_is_free(DEFAULT_PORT) else free_port()
    elif port == 0:
        port = free_port()

    # What app_from_environment() reads, in this process and in every worker: the
    # command line decides, whatever the environment held before.
    os.environ[PORT_VARIABLE] = str(port)
    for variable, value in (
        (ORIGINS_VARIABLE, ",".join(args.origins or ())),
        (REDIS_VARIABLE, args.redis or ""),
    ):
        if value:
            os.environ[variable] = value
        else:
            os.environ.pop(variable, None)
    processes = f"{args.workers} worker processes" if args.workers > 1 else "one process"
    rooms = "on Redis" if args.redis else "in memory"
    print(f"ws-kit chat demo: open http://127.0.0.1:{port}/ in two browser windows", flush=True)
    print(f"serving with {processes}, rooms {rooms}", flush=True)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=args.workers,
        log_level="info",
    )


if __name__ == "__main__":
    main()
