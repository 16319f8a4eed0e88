from ws_kit.channels import ChannelsPlugin, Position


async def catch_up(channels: ChannelsPlugin, last_seen: Position) -> tuple[list[bytes], bool]:
    """What was published to "feed" after ``last_seen``, and whether that is all of it."""
    async with channels.start_subscription(["feed"], since={"feed": last_seen}) as subscriber:
        missed = []
        while subscriber.qsize:  # the replayed events are queued before this returns
            event = await anext(subscriber.iter_messages())
            missed.append(event.data)
        # False: part of the gap was gone from history (or history was lost):
        # reload the whole state instead of trusting `missed`.
        return missed, subscriber.recovered["feed"]
