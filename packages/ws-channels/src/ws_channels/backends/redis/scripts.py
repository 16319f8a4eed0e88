"""The Lua scripts of the Redis backends: each write, and each read that must be atomic, is one.

Redis runs a script atomically, so what one script does is seen by every
other client all at once or not at all. Arguments reach Lua as strings:
every number is turned into one with ``tonumber`` before it is compared or
added (a string comparison would put ``"10"`` before ``"9"``). The keys a
script touches are all passed in ``KEYS`` and share the channel's hash tag
(:mod:`ws_channels.backends.redis.keys`).

- :data:`PUBLISH` numbers one event (``HINCRBY`` of the meta key's ``head``),
  appends it to the stream when the backend keeps history (``XADD MAXLEN ~``,
  the stream's TTL renewed) and publishes ``"<offset> <epoch> <data>"`` — in
  that order, so a subscriber never sees an event that history lacks.
- :data:`READ` returns ``[epoch, head, entries]``: the meta key's epoch and
  head and, with a stream, the entries after an offset, newest first, read
  with ``XREVRANGE`` page by page until the offset is reached. Entries another
  program wrote are returned too (the reader skips and counts them).
- Both create the meta key with the caller's candidate epoch when it is
  missing; a stream left without its meta key belongs to a lost epoch and is
  deleted then.
- :data:`TRACK` adds (or renews) presence entries with a deadline in Redis
  time and announces the new ones; :data:`UNTRACK` removes entries and
  announces it; :data:`SWEEP` removes the entries past their deadline,
  announces it, and returns when the next deadline comes and, if asked,
  what is left.
"""

from __future__ import annotations

__all__ = ["PUBLISH", "READ", "SWEEP", "TRACK", "UNTRACK"]

# The meta key holds the epoch and the head. Missing, it is made now, with
# the candidate epoch the client drew; the stream of a lost epoch goes with it.
_ENSURE_EPOCH = """
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[2]
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'head', 0)
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  if KEYS[2] then redis.call('DEL', KEYS[2]) end
end
"""

_NOW_MS = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
"""

PUBLISH = (
    """
-- KEYS: meta[, stream]
-- ARGV: data, candidate epoch, meta ttl (ms), events channel, history, stream ttl (ms)
"""
    + _ENSURE_EPOCH
    + """
local offset = redis.call('HINCRBY', KEYS[1], 'head', 1)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
local history = tonumber(ARGV[5])
if KEYS[2] and history > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', history, '*', 'o', offset, 'd', ARGV[1])
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[6]))
end
redis.call('PUBLISH', ARGV[4], offset .. ' ' .. epoch .. ' ' .. ARGV[1])
return {offset, epoch}
"""
)
"""Number, store and announce one event: ``[offset, epoch]``."""

READ = (
    """
-- KEYS: meta[, stream]
-- ARGV: (unused), candidate epoch, meta ttl (ms), after, limit (-1: none), history
"""
    + _ENSURE_EPOCH
    + """
local head = tonumber(redis.call('HGET', KEYS[1], 'head')) or 0
local entries = {}
if KEYS[2] then
  -- History holds the offsets after head - history; return those after `after`.
  local floor = math.max(tonumber(ARGV[4]), head - tonumber(ARGV[6]))
  local want = head - floor
  local limit = tonumber(ARGV[5])
  if limit >= 0 and limit < want then want = limit end
  -- Newest first; an entry counts when its offset is below the last one counted
  -- (what another program wrote is returned too, and skipped by the reader).
  local kept, last, cursor = 0, head + 1, '+'
  while kept < want do
    local page = redis.call(
      'XREVRANGE', KEYS[2], cursor, '-', 'COUNT', math.min(want - kept + 1, 1000))
    if #page == 0 then break end
    local done = false
    for _, entry in ipairs(page) do
      local offset = nil
      local fields = entry[2]
      for i = 1, #fields - 1, 2 do
        if fields[i] == 'o' then offset = tonumber(fields[i + 1]) end
      end
      if offset and offset <= floor then
        done = true
        break
      end
      entries[#entries + 1] = entry
      if offset and offset < last then
        kept, last = kept + 1, offset
      end
      if kept >= want then
        done = true
        break
      end
    end
    if done then break end
    cursor = '(' .. page[#page][1]
  end
end
return {epoch, head, entries}
"""
)
"""Read a channel's epoch, head and (with a stream) its history after an offset."""

TRACK = (
    """
-- KEYS: presence, presence-until
-- ARGV: deadline (ms from now), changes channel, then entry id, stored entry, ...
"""
    + _NOW_MS
    + """
local ttl = tonumber(ARGV[1])
for i = 3, #ARGV - 1, 2 do
  local id = ARGV[i]
  if redis.call('HEXISTS', KEYS[1], id) == 0 then
    local stored = redis.call('HINCRBY', KEYS[1], '#', 1) .. ' ' .. ARGV[i + 1]
    redis.call('HSET', KEYS[1], id, stored)
    redis.call('PUBLISH', ARGV[2], '+' .. stored)
  end
  redis.call('ZADD', KEYS[2], now_ms + ttl, id)
end
-- The keys outlive the deadlines by a minute: time for a sweep to announce what expired.
local keep = ttl + 60000
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < keep then redis.call('PEXPIRE', key, keep) end
end
return 1
"""
)
"""Add or renew presence entries; announce (``+<stored>``) the ones that were not there."""

UNTRACK = """
-- KEYS: presence, presence-until
-- ARGV: changes channel, then entry ids
local gone = 0
for i = 2, #ARGV do
  local stored = redis.call('HGET', KEYS[1], ARGV[i])
  redis.call('ZREM', KEYS[2], ARGV[i])
  if stored then
    redis.call('HDEL', KEYS[1], ARGV[i])
    redis.call('PUBLISH', ARGV[1], '-' .. stored)
    gone = gone + 1
  end
end
return gone
"""
"""Remove presence entries; announce (``-<stored>``) each one that was there."""

SWEEP = (
    """
-- KEYS: presence, presence-until
-- ARGV: changes channel, '1' to return the entries left
"""
    + _NOW_MS
    + """
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now_ms)
for _, id in ipairs(expired) do
  local stored = redis.call('HGET', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  if stored then
    redis.call('HDEL', KEYS[1], id)
    redis.call('PUBLISH', ARGV[1], '-' .. stored)
  end
end
-- Milliseconds to the next deadline (-1: none), and the entries left if asked.
local next = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
local wait = -1
if #next > 0 then wait = math.max(tonumber(next[2]) - now_ms, 0) end
if ARGV[2] == '1' then return {wait, redis.call('HGETALL', KEYS[1])} end
return {wait, {}}
"""
)
"""Remove (and announce) entries past their deadline: ``[ms to the next deadline, entries]``."""
