"""Per-message cost of ws_codec decoders and encoders against plain msgspec.

Run: python benchmarks/bench_codec.py   (needs ws-codec installed)

The message is a 5-field object. Every row is measured in the same run,
repetitions interleaved across rows; each figure is the median of the
repetitions, in microseconds per message (the timeit loop included, as for
every row).

- floor: msgspec.json.Decoder(Struct).decode(str) / msgspec.json.Encoder().encode(struct)
- typed: ws_codec.decoder_for(Model) / encoder_for(Model), no DTO
- DTO camel: ws_codec with a DTO renaming every field to camelCase

Columns: "x floor" divides by the floor row; "x typed" divides a DTO row by
the typed row of the same model kind, and the last lines compare both DTO
rows with the typed Struct row (the 1.3x target).
"""

import dataclasses
import statistics
import timeit
from collections.abc import Callable
from typing import Any

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


def main() -> None:
    check()
    results = measure()
    floor_decode, floor_encode = results["floor (msgspec, Struct)"]
    columns = f"{'us/msg':>10} {'x floor':>8} {'x typed':>8}"
    header = f"{'path':28} {'decode':>10}{columns[10:]}  {'encode':>10}{columns[10:]}"
    print(f"ws_codec, 5-field object, us per message, median of {REPETITIONS} x {NUMBER:,}")
    print(header)
    print("-" * len(header))
    for name, (dec, enc) in results.items():
        typed = TYPED_OF.get(name)
        dec_typed = f"{dec / results[typed][0]:8.2f}" if typed else f"{'':8}"
        enc_typed = f"{enc / results[typed][1]:8.2f}" if typed else f"{'':8}"
        print(
            f"{name:28} {dec:10.3f} {dec / floor_decode:8.2f} {dec_typed}  "
            f"{enc:10.3f} {enc / floor_encode:8.2f} {enc_typed}"
        )
    typed_decode, typed_encode = results["typed Struct, text"]
    print()
    for name in TYPED_OF:
        dec, enc = results[name]
        print(
            f"{name} vs typed Struct, text: decode x{dec / typed_decode:.2f}, "
            f"encode x{enc / typed_encode:.2f} (target <= 1.30)"
        )


if __name__ == "__main__":
    main()
