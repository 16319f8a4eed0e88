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

LISTENER_GUIDE = "tests/ws_listener/test_guide_examples.py"
STREAM_GUIDE = "tests/ws_stream/test_guide_examples.py"

# example (relative to docs/examples) -> "test file::test function" that runs it
REGISTRY: dict[str, str] = {
    # home page
    "quickstart/app.py": "tests/docs/test_index.py::test_quickstart_echo",
    # tutorial
    "tutorial/step1_echo.py": "tests/docs/test_tutorial.py::test_step1_echoes_text",
    "tutorial/step2_typed.py": "tests/docs/test_tutorial.py::test_step2_decodes_validates_and_encodes",
    "tutorial/step3_rooms.py": "tests/docs/test_tutorial.py::test_step3_rooms_and_names",
    "tutorial/step4_presence.py": "tests/docs/test_tutorial.py::test_step4_presence_follows_joins_and_leaves",
    "tutorial/step5_errors.py": "tests/docs/test_tutorial.py::test_step5_error_replies_names_and_origins",
    # the chat demo: the app in-process, the package and its entry point through the browser test
    "chat/app.py": "tests/demo/test_chat_unit.py::test_two_members_see_each_others_messages",
    "chat/__init__.py": "tests/demo/test_browser.py::test_two_browsers_chat_and_see_error_replies",
    "chat/__main__.py": "tests/demo/test_browser.py::test_two_browsers_chat_and_see_error_replies",
    # how-to: dependency injection
    "di/layers.py": "tests/docs/test_dependency_injection.py::test_layers_merge_and_the_closest_wins",
    "di/per_connection.py": "tests/docs/test_dependency_injection.py::test_generator_dependency_once_per_connection_then_torn_down",
    "di/query_and_headers.py": "tests/docs/test_dependency_injection.py::test_query_parameters_by_name",
    # how-to: codec and DTOs
    "codec/typed.py": "tests/docs/test_codec.py::test_typed_messages_are_validated",
    "codec/msgpack.py": "tests/docs/test_codec.py::test_msgpack_over_binary_frames",
    "codec/dto.py": "tests/docs/test_codec.py::test_dtos_shape_the_wire",
    # how-to: custom WebSocket classes
    "custom_socket/app_level.py": "tests/docs/test_custom_socket.py::test_app_level_class_sees_every_frame_first",
    "custom_socket/layered.py": "tests/docs/test_custom_socket.py::test_the_closest_layer_chooses_the_class",
    # how-to: guards and origins
    "guards/guards.py": "tests/docs/test_guards.py::test_guards_accumulate_from_the_outside_in",
    "guards/origins.py": "tests/docs/test_guards.py::test_allowed_origins",
    # how-to: errors and close codes
    "errors/close_codes.py": "tests/docs/test_errors.py::test_close_codes",
    "errors/handlers.py": "tests/docs/test_errors.py::test_exception_handlers_by_layer",
    # how-to: testing
    "testing/test_echo.py": "tests/docs/test_testing_page.py::test_echo_example",
    "testing/test_async.py": "tests/docs/test_testing_page.py::test_async_example_under_both_backends",
    "testing/test_failures.py": "tests/docs/test_testing_page.py::test_failures_examples",
    # how-to: deployment
    "deployment/app.py": "tests/docs/test_deployment.py::test_the_page_commands_serve_the_app",
    "deployment/serve.py": "tests/docs/test_deployment.py::test_uvicorn_started_from_python",
    # how-to: mounting
    "mounting/starlette_mount.py": "tests/docs/test_mounting.py::test_mounted_in_starlette",
    "mounting/fastapi_mount.py": "tests/docs/test_mounting.py::test_mounted_in_fastapi",
    # how-to: installing single packages
    "packages/core_only.py": "tests/docs/test_packages.py::test_core_only_app_works",
    # how-to: listeners (the guide's examples, tested by the ws-listener suite)
    "listeners/intro.py": f"{LISTENER_GUIDE}::test_text_echo",
    "listeners/receive_str.py": f"{LISTENER_GUIDE}::test_text_echo",
    "listeners/send_str.py": f"{LISTENER_GUIDE}::test_text_echo",
    "listeners/receive_mode_text.py": f"{LISTENER_GUIDE}::test_text_echo",
    "listeners/send_mode_text.py": f"{LISTENER_GUIDE}::test_text_echo",
    "listeners/receive_typing_dict.py": f"{LISTENER_GUIDE}::test_dict_in_dict_out",
    "listeners/receive_dict.py": f"{LISTENER_GUIDE}::test_dict_in_dict_out",
    "listeners/send_typing_dict.py": f"{LISTENER_GUIDE}::test_str_in_dict_out",
    "listeners/send_dict.py": f"{LISTENER_GUIDE}::test_str_in_dict_out",
    "listeners/receive_bytes.py": f"{LISTENER_GUIDE}::test_bytes_in",
    "listeners/send_bytes.py": f"{LISTENER_GUIDE}::test_bytes_out_in_text_mode",
    "listeners/send_dataclass.py": f"{LISTENER_GUIDE}::test_dataclass_out",
    "listeners/receive_mode_binary.py": f"{LISTENER_GUIDE}::test_binary_receive_mode_ignores_text_frames",
    "listeners/send_mode_binary.py": f"{LISTENER_GUIDE}::test_binary_send_mode",
    "listeners/dependency_injection.py": f"{LISTENER_GUIDE}::test_provided_dependency",
    "listeners/dependency_client_count.py": f"{LISTENER_GUIDE}::test_yield_dependency_counts_clients_and_tears_down",
    "listeners/socket_access.py": f"{LISTENER_GUIDE}::test_socket_injection_goodbye_closes",
    "listeners/accept_handler.py": f"{LISTENER_GUIDE}::test_accept_handler_sends_headers",
    "listeners/class_listener_sync.py": f"{LISTENER_GUIDE}::test_class_based_listener",
    "listeners/class_listener_async.py": f"{LISTENER_GUIDE}::test_class_based_listener",
    "listeners/custom_websocket.py": f"{LISTENER_GUIDE}::test_custom_websocket_class_at_app_level",
    # how-to: streams (the guide's examples, tested by the ws-stream suite)
    "streams/ping_typing.py": f"{STREAM_GUIDE}::test_ping_streams_timestamps",
    "streams/ping_collections.py": f"{STREAM_GUIDE}::test_ping_streams_timestamps",
    "streams/lock_dependency_typing.py": f"{STREAM_GUIDE}::test_lock_dependency_is_held_for_the_whole_connection",
    "streams/lock_dependency_collections.py": f"{STREAM_GUIDE}::test_lock_dependency_is_held_for_the_whole_connection",
    "streams/lock_in_generator_typing.py": f"{STREAM_GUIDE}::test_lock_inside_the_generator_lets_connections_stream_side_by_side",
    "streams/lock_in_generator_collections.py": f"{STREAM_GUIDE}::test_lock_inside_the_generator_lets_connections_stream_side_by_side",
    "streams/socket_client_typing.py": f"{STREAM_GUIDE}::test_injected_socket_gives_the_client_address",
    "streams/socket_client_collections.py": f"{STREAM_GUIDE}::test_injected_socket_gives_the_client_address",
    "streams/combined_listener_typing.py": f"{STREAM_GUIDE}::test_listener_lifespan_streams_while_the_listener_receives",
    "streams/combined_listener_collections.py": f"{STREAM_GUIDE}::test_listener_lifespan_streams_while_the_listener_receives",
    "streams/combined_task_group_typing.py": f"{STREAM_GUIDE}::test_task_group_streams_while_reading_json",
    "streams/combined_task_group_collections.py": f"{STREAM_GUIDE}::test_task_group_streams_while_reading_json",
}


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
    needles = (example, f'"{stem}"', f"'{stem}'")
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
