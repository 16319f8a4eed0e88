"""The exception of ws_channels (configuration errors are ws-core's ``ConfigurationError``)."""

__all__ = ["ChannelsException"]


class ChannelsException(Exception):
    """A channel that this plugin does not serve.

    Raised by ``publish``, ``wait_published``, ``subscribe``,
    ``start_subscription``, ``track``, ``get_presence`` and
    ``presence_events`` for a channel that was not declared while
    ``arbitrary_channels_allowed`` is false. The message names the channel.
    """
