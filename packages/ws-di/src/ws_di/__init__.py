"""Dependency injection for ws-kit: plan a callable once, resolve it per connection.

`ws_di` knows nothing of ASGI. A framework describes, at start-up, the
callables it will call for one connection (the *consumers*), the dependencies
available to them (`Provide`, layered with `merge_providers`) and the names it
will supply itself; `plan_dependencies` checks all of it and returns a
`DependencyPlan`. Per connection, `DependencyPlan.resolve` produces every value
inside the caller's `contextlib.AsyncExitStack`, and
`DependencyPlan.kwargs_for` hands each consumer its keyword arguments.
Generator dependencies are torn down when that stack exits: in reverse order,
exactly once, shielded from cancellation.

Example:
    ```python
    async def database(settings: Settings) -> AsyncIterator[Connection]:
        async with connect(settings.url) as connection:
            yield connection

    plan = plan_dependencies(
        {"handler": handler},
        providers=merge_providers({"db": database}),
        supplied=("settings", "socket"),
        owner="websocket '/chat'",
    )
    async with AsyncExitStack() as stack:
        values = await plan.resolve({"settings": settings, "socket": socket}, stack)
        await handler(**plan.kwargs_for("handler", values))
    ```

The exception tree is small. `DependencyError(Exception)` is a configuration
error, raised by `read_parameters` and `plan_dependencies` only, that is at
start-up. While resolving, nothing is wrapped: whatever a provider raises
propagates as it is (several concurrent failures as an exception group);
`RuntimeError` reports a generator dependency that did not yield, or that
yielded more than once (at teardown); `TypeError` reports supplied values
missing from `resolve`'s mapping.
"""

from ws_di.asyncify import to_async
from ws_di.callables import CallableInfo, ParameterInfo, read_callable, read_parameters
from ws_di.errors import DependencyError
from ws_di.plan import DependencyPlan, plan_dependencies
from ws_di.provide import Provide, merge_providers

__all__ = [
    "CallableInfo",
    "DependencyError",
    "DependencyPlan",
    "ParameterInfo",
    "Provide",
    "merge_providers",
    "plan_dependencies",
    "read_callable",
    "read_parameters",
    "to_async",
]
