"""Per-message cost of ws_codec decoders and encoders against plain msgspec.

Run with ``hatch run bench:codec`` (``--no-docs`` leaves docs/benchmarks.md alone).

The message is a 5-field object. Every row is measured in the same run,
repetitions interleaved across rows; each figure is the median of the
repetitions, in microseconds per message (the timeit loop included, as for
every row).

- floor: msgspec.json.Decoder(Struct).decode(str) / msgspec.json.Encoder().encode(struct)
- typed: ws_codec.decoder_for(Model) / encoder_for(Model), no DTO
- DTO camel: ws_codec with a DTO renaming every field to camelCase

Columns: "x floor" divides by the floor row; "x typed" divides a DTO row by
the typed row of the same model kind. The target (issue 4): the DTO Struct
row within 1.3x of the typed Struct row, both ways.
"""

import argparse
import dataclasses
import statistics
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    env = harness.print_environment()
    check()
    results = measure()
    floor_decode, floor_encode = results["floor (msgspec, Struct)"]
    table = harness.Table(
        f"Per message, 5-field object (µs, median of {REPETITIONS} x {NUMBER:,})",
        ["path", "decode", "x floor", "x typed", "encode", "x floor", "x typed"],
    )
    for name, (dec, enc) in results.items():
        typed = TYPED_OF.get(name)
        table.add(
            name,
            f"{dec:.3f}",
            f"{dec / floor_decode:.2f}",
            f"{dec / results[typed][0]:.2f}" if typed else "-",
            f"{enc:.3f}",
            f"{enc / floor_encode:.2f}",
            f"{enc / results[typed][1]:.2f}" if typed else "-",
        )
    typed_decode, typed_encode = results["typed Struct, text"]
    dto_decode, dto_encode = results["DTO camel Struct, text"]
    targets = harness.Targets()
    ratios = {"decode": dto_decode / typed_decode, "encode": dto_encode / typed_encode}
    for direction, ratio in ratios.items():
        targets.check(
            f"DTO camel Struct / typed Struct, {direction}", ratio, "<= 1.30", ratio <= 1.30
        )
    print(table.text())
    print()
    print(targets.text())
    elapsed = time.perf_counter() - started
    print(f"\n{elapsed:.0f} s in all")
    if not args.no_docs:
        body = [
            "## Codec: decoding and encoding one message",
            "",
            f"Produced by `{harness.command_line()}`.",
            "",
            *(f"- {line}" for line in env),
            f"- run time {elapsed:.0f} s",
            "",
            table.markdown(),
            "",
            targets.markdown(),
            "",
        ]
        harness.write_docs_section("codec", "\n".join(body))
        print(f"wrote {harness.DOCS_PAGE.relative_to(harness.REPO_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
