import 'server-only';

// The Lua scripts of the Redis adapter: one command per batch instead of one per key.

/**
 * Writes one cached value without reading the key (issue 18: Kiln's writes must not look like the
 * shop's reads). `SETRANGE key 0 ""` is the type check: it fails with WRONGTYPE on a hash or a list
 * (another application's data is never overwritten) and, being a write lookup, counts no keyspace hit
 * or miss (`SET ... GET`, used before, counted one and bumped the LFU counter). An existing string is
 * unlinked first so the new value starts with a fresh LFU counter (SET over a key keeps the old one
 * under an LFU policy) and a fresh idle time: the key's write resets the used/unread baseline.
 */
export const WRITE_ONE_FUNCTION = `
local function kiln_write(key, value, ttl)
  local size = redis.pcall('SETRANGE', key, 0, '')
  if type(size) == 'table' and size.err then return size.err end
  if size > 0 then redis.call('UNLINK', key) end
  local reply = redis.pcall('SET', key, value, 'EX', ttl)
  if type(reply) == 'table' and reply.err then return reply.err end
  return nil
end
`;

/**
 * One scripted command per batch instead of one SET per key: Redis runs the loop, Node builds one
 * command object. Each key goes through WRITE_ONE (above); pcall keeps one bad key from failing the
 * batch. Reply: a flat list of (1-based index, error) pairs for the entries that failed.
 */
export const SET_MANY_SCRIPT = `${WRITE_ONE_FUNCTION}
local failures = {}
for i, key in ipairs(KEYS) do
  local err = kiln_write(key, ARGV[2 * i], ARGV[2 * i - 1])
  if err then
    failures[#failures + 1] = i
    failures[#failures + 1] = err
  end
end
return failures
`;

/** One key through WRITE_ONE (Redis Cluster: one EVAL per key, keys spread over slots). KEYS[1]; ARGV: TTL, value. */
export const SET_ONE_SCRIPT = `${WRITE_ONE_FUNCTION}
local err = kiln_write(KEYS[1], ARGV[2], ARGV[1])
if err then return redis.error_reply(err) end
return 1
`;

/** PTTL of every key in one command: -2 missing, -1 no expiry, else milliseconds. */
export const PTTL_MANY_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('PTTL', key) end
return out
`;

/**
 * OBJECT IDLETIME or FREQ (ARGV[1]) of every key, with the server's clock, in one command. OBJECT
 * does not touch the key (its idle time and LFU counter stay as the shop left them); it does count
 * one keyspace hit or miss per key. Reply: { seconds, microseconds, { value or -1 when missing } }.
 */
export const INSPECT_MANY_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local r = redis.pcall('OBJECT', ARGV[1], key)
  if type(r) == 'table' and r.err then return redis.error_reply(r.err) end
  out[i] = r or -1
end
local t = redis.call('TIME')
return { t[1], t[2], out }
`;

/** MEMORY USAGE of every key in one command: bytes, or false (nil) for a missing key. */
export const MEMORY_MANY_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('MEMORY', 'USAGE', key) or false end
return out
`;

/**
 * SET_MANY with the freshness guard. KEYS[1]: the prefix's watermark (RAISE_LATEST_SCRIPT), the
 * highest version any re-warm has marked a key with, alive at least as long as any marker it covers;
 * then each cache key followed by its freshness marker. ARGV[1]: the batch's version (the WAL position
 * it read before loading); then each entry's TTL and value. A key whose marker is at or after the
 * version was re-warmed on change since the batch loaded: it is left alone. A watermark below the
 * version (or gone) means no marker can be at or after it: no marker is read, one GET per batch
 * instead of one per key (the common case: nothing re-warmed while the batch loaded). An unreadable
 * watermark (another type) reads every marker. On a Cluster (one key per call, keys in one slot) the
 * key's own marker stands as the watermark. Reply: flat (1-based index, code, error) triples for
 * entries not written; code 1 superseded, 2 failed.
 */
export const GUARDED_SET_MANY_SCRIPT = `${WRITE_ONE_FUNCTION}
local version = tonumber(ARGV[1])
local latest = redis.pcall('GET', KEYS[1])
local check = true
if latest == false then check = false
elseif type(latest) == 'string' and tonumber(latest) ~= nil then check = tonumber(latest) >= version end
local out = {}
for i = 1, (#KEYS - 1) / 2 do
  local key, marker = KEYS[2 * i], KEYS[2 * i + 1]
  local superseded = false
  if check then
    local seen = redis.pcall('GET', marker)
    superseded = type(seen) == 'string' and tonumber(seen) ~= nil and tonumber(seen) >= version
  end
  if superseded then
    out[#out + 1] = i
    out[#out + 1] = 1
    out[#out + 1] = 'superseded'
  else
    local err = kiln_write(key, ARGV[2 * i + 1], ARGV[2 * i])
    if err then
      out[#out + 1] = i
      out[#out + 1] = 2
      out[#out + 1] = err
    end
  end
end
return out
`;

/**
 * Raises the watermark GUARDED_SET_MANY reads, before a re-warm writes its markers (so a
 * guarded write that runs in between reads the markers, and finds them not yet written, as it would
 * without the watermark). KEYS[1] the watermark; ARGV[1] the version, ARGV[2] the markers' TTL (s).
 * Keeps the higher value and the longer life, plus a second, so it outlives every marker it covers.
 */
export const RAISE_LATEST_SCRIPT = `
local version = tonumber(ARGV[1])
local ttl = (tonumber(ARGV[2]) + 1) * 1000
local current = redis.call('GET', KEYS[1])
local value = ARGV[1]
if type(current) == 'string' and tonumber(current) ~= nil and tonumber(current) > version then value = current end
local left = redis.call('PTTL', KEYS[1])
if left > ttl then ttl = left end
redis.call('SET', KEYS[1], value, 'PX', ttl)
return 1
`;

/**
 * Re-warm on change. KEYS: each cache key followed by its freshness marker. ARGV[1] version,
 * ARGV[2] marker TTL (s), ARGV[3] '1' to mark every key (a run is going); then per entry: mode
 * (`w` write if cached, `W` write, `d` delete), TTL, value. A marker newer than the version means a
 * later re-warm already wrote the key: left alone. Only string keys are touched (another type is
 * another application's). Reply: one outcome per entry, or `error:<message>`.
 */
export const REFRESH_MANY_SCRIPT = `
local version = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS / 2 do
  local key, marker = KEYS[2 * i - 1], KEYS[2 * i]
  local base = 3 + 3 * (i - 1)
  local mode, ttl, value = ARGV[base + 1], ARGV[base + 2], ARGV[base + 3]
  local seen = redis.pcall('GET', marker)
  if type(seen) == 'string' and tonumber(seen) ~= nil and tonumber(seen) > version then
    out[i] = 'superseded'
  else
    local kind = redis.call('TYPE', key).ok
    if kind ~= 'none' and kind ~= 'string' then
      out[i] = 'error:WRONGTYPE the key holds a ' .. kind .. ', not a cached value'
    elseif mode == 'd' then
      if kind == 'string' then
        redis.call('UNLINK', key)
        out[i] = 'deleted'
      else
        out[i] = 'absent'
      end
    elseif mode == 'w' and kind == 'none' then
      out[i] = 'not_cached'
    else
      redis.call('SET', key, value, 'EX', ttl)
      out[i] = 'written'
    end
    if out[i] == 'written' or out[i] == 'deleted' or ARGV[3] == '1' then
      redis.call('SET', marker, ARGV[1], 'EX', ARGV[2])
    end
  end
end
return out
`;
