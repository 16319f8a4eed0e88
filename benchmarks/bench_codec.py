"""Per-message cost of ws_codec decoders and encoders against plain msgspec.

Run with ``hatch run bench:codec`` (``--no-docs`` leaves docs/benchmarks.md alone,
``--processes N`` sets how many fresh interpreters measure, 5 by default).

The message is a 5-field object. Every row is measured in the same process,
repetitions interleaved across rows, and each process reports the median of
its repetitions in microseconds per message (the timeit loop included, as for
every row). Several processes run one after the other; the table shows the
medians over processes, and ratios are taken within each process first.

- floor: msgspec.json.Decoder(Struct).decode(str) / msgspec.json.Encoder().encode(struct)
- typed: ws_codec.decoder_for(Model) / encoder_for(Model), no DTO
- DTO camel: ws_codec with a DTO renaming every field to camelCase

Columns: "x floor" divides by the floor row; "x typed" divides a DTO row by
the typed row of the same model kind. The target (issue 4): the DTO Struct
row within 1.3x of the typed Struct row; checked for each direction and for a
message that is decoded and answered (decode + encode).
"""

import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from typing import Any

import harness
import msgspec

from ws_codec import DTO, DTOConfig, decoder_for, encoder_for

REPETITIONS = 7
NUMBER = 100_000


class UserStruct(msgspec.Struct):
    user_id: int
    full_name: str
    email_address: str
    age: int
    is_active: bool


@dataclasses.dataclass
class UserClass:
    user_id: int
    full_name: str
    email_address: str
    age: int
    is_active: bool


class StructCamel(DTO[UserStruct]):
    config = DTOConfig(rename_strategy="camel")


class ClassCamel(DTO[UserClass]):
    config = DTOConfig(rename_strategy="camel")


FIELDS = (42, "Ada Lovelace", "ada@example.com", 36, True)
STRUCT, INSTANCE = UserStruct(*FIELDS), UserClass(*FIELDS)
SNAKE = msgspec.json.encode(STRUCT).decode()
CAMEL = encoder_for(UserStruct, dto=StructCamel)(STRUCT)
assert isinstance(CAMEL, str)

# row -> (decode function, payload, encode function, value)
ROWS: dict[str, tuple[Callable[[Any], Any], str, Callable[[Any], Any], Any]] = {
    "floor (msgspec, Struct)": (
        msgspec.json.Decoder(UserStruct).decode,
        SNAKE,
        msgspec.json.Encoder().encode,
        STRUCT,
    ),
    "typed Struct, text": (decoder_for(UserStruct), SNAKE, encoder_for(UserStruct), STRUCT),
    "typed Struct, binary": (
        decoder_for(UserStruct, mode="binary"),
        SNAKE,
        encoder_for(UserStruct, mode="binary"),
        STRUCT,
    ),
    "typed dataclass, text": (decoder_for(UserClass), SNAKE, encoder_for(UserClass), INSTANCE),
    "DTO camel Struct, text": (
        decoder_for(UserStruct, dto=StructCamel),
        CAMEL,
        encoder_for(UserStruct, dto=StructCamel),
        STRUCT,
    ),
    "DTO camel dataclass, text": (
        decoder_for(UserClass, dto=ClassCamel),
        CAMEL,
        encoder_for(UserClass, dto=ClassCamel),
        INSTANCE,
    ),
}
TYPED_OF = {
    "DTO camel Struct, text": "typed Struct, text",
    "DTO camel dataclass, text": "typed dataclass, text",
}


def check() -> None:
    """Every row decodes to the same model and encodes the same payload."""
    for name, (decode, payload, encode, value) in ROWS.items():
        assert decode(payload) == value, name
        encoded = encode(value)
        expected = CAMEL if name.startswith("DTO") else SNAKE
        assert (encoded if isinstance(encoded, str) else encoded.decode()) == expected, name


def measure() -> dict[str, tuple[float, float]]:
    """Median µs per call of each row, ``{row: (decode, encode)}``, in this process."""
    samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in ROWS}
    for _ in range(REPETITIONS):
        for name, (decode, payload, encode, value) in ROWS.items():
            for times, fn, arg in zip(
                samples[name], (decode, encode), (payload, value), strict=True
            ):
                timer = timeit.Timer("fn(arg)", globals={"fn": fn, "arg": arg})
                times.append(timer.timeit(NUMBER) / NUMBER * 1e6)
    return {
        name: (statistics.median(decode_times), statistics.median(encode_times))
        for name, (decode_times, encode_times) in samples.items()
    }


def measure_in_processes(processes: int) -> list[dict[str, tuple[float, float]]]:
    """``measure()`` in fresh interpreters, one after the other.

    Costs this small move by a few percent from one process to the next
    (memory layout, hash seeds), more than within a process, so each process
    gives one sample of every row and of every ratio.
    """
    runs = []
    for _ in range(processes):
        worker = subprocess.run(
            [sys.executable, __file__, "--worker"], check=True, capture_output=True, text=True
        )
        measured = json.loads(worker.stdout)
        runs.append({name: (dec, enc) for name, (dec, enc) in measured.items()})
    return runs


def summary(values: list[float], digits: int) -> str:
    """The median, and ``±`` half the min-max range when there are several values."""
    middle = f"{statistics.median(values):.{digits}f}"
    if len(values) < 2:
        return middle
    return f"{middle} ±{(max(values) - min(values)) / 2:.{digits}f}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=5, help="fresh interpreters (>= 1)")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    check()
    if args.worker:
        print(json.dumps(measure()))
        return 0
    started = time.perf_counter()
    env = harness.print_environment()
    runs = measure_in_processes(max(1, args.processes))

    def ratios(row: str, base: str, side: int) -> list[float]:
        return [run[row][side] / run[base][side] for run in runs]

    floor = "floor (msgspec, Struct)"
    table = harness.Table(
        f"Per message, 5-field object (µs; medians of {len(runs)} processes x "
        f"{REPETITIONS} x {NUMBER:,} calls, ± half the range over processes)",
        ["path", "decode", "x floor", "x typed", "encode", "x floor", "x typed"],
    )
    for name in ROWS:
        typed = TYPED_OF.get(name)
        cells = [name]
        for side in (0, 1):
            cells += [
                summary([run[name][side] for run in runs], 3),
                summary(ratios(name, floor, side), 2),
                summary(ratios(name, typed, side), 2) if typed else "-",
            ]
        table.add(*cells)
    typed_row, dto_row = "typed Struct, text", "DTO camel Struct, text"
    both = [sum(run[dto_row]) / sum(run[typed_row]) for run in runs]
    targets = harness.Targets()
    for direction, values in (
        ("decode", ratios(dto_row, typed_row, 0)),
        ("encode", ratios(dto_row, typed_row, 1)),
        ("decode + encode", both),
    ):
        ratio = statistics.median(values)
        targets.check(
            f"DTO camel Struct / typed Struct, {direction} (over processes: "
            f"{min(values):.2f}-{max(values):.2f})",
            ratio,
            "<= 1.30",
            ratio <= 1.30,
        )
    print(table.text())
    print()
    print(targets.text())
    elapsed = time.perf_counter() - started
    print(f"\n{elapsed:.0f} s in all")
    if not args.no_docs:
        harness.write_docs_report(
            "codec",
            "Codec: decoding and encoding one message",
            [*env, f"run time {elapsed:.0f} s"],
            [table.markdown(), "", targets.markdown(), ""],
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
