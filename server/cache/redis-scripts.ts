import 'server-only';

// The Lua scripts of the Redis adapter: one command per batch instead of one per key.

/**
 * One scripted command per batch instead of one SET per key: Redis runs the loop, Node builds one
 * command object. `SET ... GET` fails with WRONGTYPE when the key holds a hash or a list, so another
 * application's data is never overwritten; pcall keeps one bad key from failing the batch.
 * Reply: a flat list of (1-based index, error) pairs for the entries that failed.
 */
export const SET_MANY_SCRIPT = `
local failures = {}
for i, key in ipairs(KEYS) do
  local reply = redis.pcall('SET', key, ARGV[2 * i], 'EX', ARGV[2 * i - 1], 'GET')
  if type(reply) == 'table' and reply.err then
    failures[#failures + 1] = i
    failures[#failures + 1] = reply.err
  end
end
return failures
`;

/** PTTL of every key in one command: -2 missing, -1 no expiry, else milliseconds. */
export const PTTL_MANY_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('PTTL', key) end
return out
`;

/** MEMORY USAGE of every key in one command: bytes, or false (nil) for a missing key. */
export const MEMORY_MANY_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('MEMORY', 'USAGE', key) or false end
return out
`;
