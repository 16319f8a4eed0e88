"""Every Python file under docs/examples/ is run by a test, and this registry says which.

A new example without an entry here fails ``test_every_example_is_registered``; an
entry whose test does not exist, or does not refer to the example, fails
``test_each_registered_test_exists_and_names_its_example``. A test "names" an
example when its source (decorators included) holds the example's path relative to
docs/examples (``"tutorial/step1_echo.py"``) or its stem as a string (``"intro"``),
directly or through a module-level constant, helper or fixture of its file that it
uses. A package's ``__init__``/``__main__`` must be run with ``python -m``.
"""

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"

# test file -> test function -> the examples (relative to docs/examples) it runs
TESTS: dict[str, dict[str, list[str]]] = {
    "tests/docs/test_index.py": {"test_quickstart_echo": ["quickstart/app.py"]},
    "tests/docs/test_tutorial.py": {
        "test_step1_echoes_text": ["tutorial/step1_echo.py"],
        "test_step2_decodes_validates_and_encodes": ["tutorial/step2_typed.py"],
        "test_step3_rooms_and_names": ["tutorial/step3_rooms.py"],
        "test_step4_presence_is_the_whole_room_then_changes": ["tutorial/step4_presence.py"],
        "test_step5_error_replies_names_and_origins": ["tutorial/step5_errors.py"],
    },
    # the chat demo: the app in-process; the package and its entry point in the browser test
    "tests/demo/test_chat_unit.py": {
        "test_two_members_see_each_others_messages": ["chat/app.py"],
    },
    "tests/demo/test_browser.py": {
        "test_two_browsers_chat_and_see_error_replies": ["chat/__init__.py", "chat/__main__.py"],
    },
    "tests/docs/test_listeners_page.py": {
        "test_low_level_running_sum": ["low_level/running_sum.py"],
    },
    "tests/docs/test_listeners_extras.py": {
        "test_a_lifespan_runs_a_task_group_beside_the_listener": [
            "listener_options/lifespan_task_group.py"
        ],
        "test_a_message_over_the_limit_closes_with_1009": ["listener_options/max_message_size.py"],
        "test_the_dto_shapes_the_reply": ["listener_options/dto_replies.py"],
    },
    "tests/docs/test_dependency_injection.py": {
        "test_layers_merge_and_the_closest_wins": ["di/layers.py"],
        "test_generator_dependency_once_per_connection_then_torn_down": ["di/per_connection.py"],
        "test_query_parameters_by_name": ["di/query_and_headers.py"],
    },
    "tests/docs/test_codec.py": {
        "test_typed_messages_are_validated": ["codec/typed.py"],
        "test_msgpack_over_binary_frames": ["codec/msgpack.py"],
        "test_dtos_shape_the_wire": ["codec/dto.py"],
    },
    "tests/docs/test_custom_socket.py": {
        "test_app_level_class_sees_every_frame_first": ["custom_socket/app_level.py"],
        "test_the_closest_layer_chooses_the_class": ["custom_socket/layered.py"],
    },
    "tests/docs/test_guards.py": {
        "test_guards_accumulate_from_the_outside_in": ["guards/guards.py"],
        "test_allowed_origins": ["guards/origins.py"],
    },
    "tests/docs/test_errors.py": {
        "test_close_codes": ["errors/close_codes.py"],
        "test_exception_handlers_by_layer": ["errors/handlers.py"],
    },
    "tests/docs/test_testing_page.py": {
        "test_echo_example": ["testing/test_echo.py"],
        "test_async_example_under_both_backends": ["testing/test_async.py"],
        "test_failures_examples": ["testing/test_failures.py"],
    },
    "tests/docs/test_deployment.py": {
        "test_the_page_commands_serve_the_app": ["deployment/app.py"],
        "test_uvicorn_started_from_python": ["deployment/serve.py"],
    },
    "tests/docs/test_mounting.py": {
        "test_mounted_in_starlette": ["mounting/starlette_mount.py"],
        "test_mounted_in_fastapi": ["mounting/fastapi_mount.py"],
    },
    "tests/docs/test_packages.py": {"test_core_only_app_works": ["packages/core_only.py"]},
    "tests/docs/test_asyncapi.py": {
        "test_the_app_serves_a_document_shaped_by_its_dtos": ["asyncapi/app.py"],
        "test_a_handler_kind_of_ones_own_describes_itself": ["asyncapi/custom_kind.py"],
    },
    # the channels how-to pages, tested by the ws-channels suite
    "tests/ws_channels/test_docs_examples.py": {
        "test_broadcast_from_a_listener": ["channels/broadcast_listener.py"],
        "test_push_from_a_fastapi_view": ["channels/push_fastapi.py"],
        "test_push_from_a_starlette_endpoint": ["channels/push_starlette.py"],
        "test_a_worker_publishes_without_an_app": ["channels/worker.py"],
        "test_history_and_resume_through_the_route": ["channels/resume_route.py"],
        "test_resume_in_code_says_whether_it_recovered": ["channels/resume_in_code.py"],
        "test_presence_in_a_room": ["channels/presence.py"],
        "test_backpressure_settings_and_stats": ["channels/backpressure.py"],
        "test_generated_routes_with_history_and_a_guard": ["channels/generated_routes.py"],
    },
    # the Redis deployment page, tested with the Redis backends
    "tests/ws_channels/redis/test_docs_examples.py": {
        "test_a_worker_process_publishes_into_the_rooms": [
            "channels_redis/app.py",
            "channels_redis/worker.py",
        ],
        "test_the_sentinel_example_finds_the_primary": ["channels_redis/sentinel.py"],
    },
    # the guide's listener examples, tested by the ws-listener suite
    "tests/ws_listener/test_guide_examples.py": {
        "test_text_echo": [
            "listeners/intro.py",
            "listeners/receive_str.py",
            "listeners/send_str.py",
            "listeners/receive_mode_text.py",
            "listeners/send_mode_text.py",
        ],
        "test_dict_in_dict_out": ["listeners/receive_typing_dict.py", "listeners/receive_dict.py"],
        "test_str_in_dict_out": ["listeners/send_typing_dict.py", "listeners/send_dict.py"],
        "test_bytes_in": ["listeners/receive_bytes.py"],
        "test_bytes_out_in_text_mode": ["listeners/send_bytes.py"],
        "test_dataclass_out": ["listeners/send_dataclass.py"],
        "test_binary_receive_mode_ignores_text_frames": ["listeners/receive_mode_binary.py"],
        "test_binary_send_mode": ["listeners/send_mode_binary.py"],
        "test_provided_dependency": ["listeners/dependency_injection.py"],
        "test_yield_dependency_counts_clients_and_tears_down": [
            "listeners/dependency_client_count.py"
        ],
        "test_socket_injection_goodbye_closes": ["listeners/socket_access.py"],
        "test_accept_handler_sends_headers": ["listeners/accept_handler.py"],
        "test_class_based_listener": [
            "listeners/class_listener_sync.py",
            "listeners/class_listener_async.py",
        ],
        "test_custom_websocket_class_at_app_level": ["listeners/custom_websocket.py"],
    },
    # the guide's stream examples, tested by the ws-stream suite
    "tests/ws_stream/test_guide_examples.py": {
        "test_ping_streams_timestamps": ["streams/ping_typing.py", "streams/ping_collections.py"],
        "test_lock_dependency_is_held_for_the_whole_connection": [
            "streams/lock_dependency_typing.py",
            "streams/lock_dependency_collections.py",
        ],
        "test_lock_inside_the_generator_lets_connections_stream_side_by_side": [
            "streams/lock_in_generator_typing.py",
            "streams/lock_in_generator_collections.py",
        ],
        "test_injected_socket_gives_the_client_address": [
            "streams/socket_client_typing.py",
            "streams/socket_client_collections.py",
        ],
        "test_listener_lifespan_streams_while_the_listener_receives": [
            "streams/combined_listener_typing.py",
            "streams/combined_listener_collections.py",
        ],
        "test_task_group_streams_while_reading_json": [
            "streams/combined_task_group_typing.py",
            "streams/combined_task_group_collections.py",
        ],
    },
}

# example -> "test file::test function"
REGISTRY: dict[str, str] = {
    example: f"{test_file}::{test_name}"
    for test_file, tests in TESTS.items()
    for test_name, examples in tests.items()
    for example in examples
}


def test_no_example_is_registered_twice() -> None:
    every = [
        example for tests in TESTS.values() for examples in tests.values() for example in examples
    ]
    assert len(every) == len(set(every))


def example_files() -> set[str]:
    return {path.relative_to(EXAMPLES).as_posix() for path in EXAMPLES.rglob("*.py")}


@cache
def parsed(test_file: str) -> tuple[str, ast.Module]:
    source = (ROOT / test_file).read_text()
    return source, ast.parse(source)


def definitions_naming(tree: ast.Module, source: str, needles: tuple[str, ...]) -> set[str]:
    """Module-level constants, helpers and fixtures whose source holds one of ``needles``."""
    names: set[str] = set()
    for node in tree.body:
        segment = ast.get_source_segment(source, node) or ""
        if not any(needle in segment for needle in needles):
            continue
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
    return names


def names_used_by(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names a test reads (decorators included) and the fixtures it asks for."""
    used = {node.id for node in ast.walk(function) if isinstance(node, ast.Name)}
    used.update(arg.arg for arg in function.args.args)
    return used


def test_every_example_is_registered() -> None:
    files = example_files()
    assert files, "no examples found"
    unregistered = sorted(files - set(REGISTRY))
    stale = sorted(set(REGISTRY) - files)
    assert not unregistered, f"examples no test is registered for: {unregistered}"
    assert not stale, f"registered examples that do not exist: {stale}"


@pytest.mark.parametrize("example", sorted(REGISTRY))
def test_each_registered_test_exists_and_names_its_example(example: str) -> None:
    test_file, _, test_name = REGISTRY[example].partition("::")
    assert (ROOT / test_file).is_file(), f"{test_file} does not exist"
    source, tree = parsed(test_file)
    functions = {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    assert test_name in functions, f"{test_file} defines no {test_name}()"
    function = functions[test_name]

    stem = Path(example).stem
    needles: tuple[str, ...] = (example, f'"{stem}"', f"'{stem}'")
    if stem in ("__init__", "__main__"):  # a package and its entry point: run with python -m
        needles = ("-m", "docs.examples." + Path(example).parent.as_posix().replace("/", "."))
        assert all(needle in source for needle in needles), f"{test_file} never runs {example}"
        return

    parts = [ast.get_source_segment(source, node) or "" for node in function.decorator_list]
    parts.append(ast.get_source_segment(source, function) or "")
    segment = "\n".join(parts)
    via_definition = definitions_naming(tree, source, needles) & names_used_by(function)
    assert any(needle in segment for needle in needles) or via_definition, (
        f"{test_file}::{test_name} does not refer to {example}"
    )
