import type { RedisConnection } from "../../queue/redis.js";
import { redisKeys, type RedisKeys } from "../../queue/redis-keys.js";

/**
 * A subscription's rate limit (issue 18), shared by every worker through Redis: one message every
 * 1/rate s, in creation order, none dropped. Per subscription, three keys under
 * `<prefix>:outbound-rate:<subscription id>:` (the id a hash tag on a cluster, queue/redis-keys.ts): `tat`, when the next message may go (GCRA's
 * theoretical arrival time); `line`, the messages waiting, ordered by id (uuidv7: creation order);
 * `due`, when each of those is expected back. An attempt asks once per turn, in one round trip:
 * it goes (0) only when it is first in line and its time has come; otherwise it is told how long to
 * be put aside: the time to its slot, counting those before it in line, so most wait only once.
 * One that never comes back (its worker killed, its subscription disabled) is dropped from the
 * head of the line once `grace` ms overdue, so it does not hold the others for ever.
 */

/**
 * KEYS: tat, line, due. ARGV: id, interval ms, grace ms, key ttl ms, mode ("admit", or "hold" with
 * ARGV[6] the ms it is put aside for another reason: it keeps its place without being sent).
 * Returns 0 (send now) or the ms to wait (at least 1).
 */
const THROTTLE_SCRIPT = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local id, step, grace, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call("ZADD", KEYS[2], 0, id)
redis.call("PEXPIRE", KEYS[2], ttl)
redis.call("PEXPIRE", KEYS[3], ttl)
if ARGV[5] == "hold" then
  redis.call("HSET", KEYS[3], id, now + tonumber(ARGV[6]) + grace)
  return 0
end
while true do
  local head = redis.call("ZRANGE", KEYS[2], 0, 0)[1]
  if head == id then break end
  local due = tonumber(redis.call("HGET", KEYS[3], head) or "0")
  if due >= now then break end
  redis.call("ZREM", KEYS[2], head)
  redis.call("HDEL", KEYS[3], head)
end
local tat = tonumber(redis.call("GET", KEYS[1]) or "0")
local rank = redis.call("ZRANK", KEYS[2], id)
if rank == 0 and tat <= now then
  -- A turn late by up to an interval keeps the cadence, so late returns do not slow the rate: any
  -- second still holds at most rate + 1 messages.
  local base = now
  if tat >= now - step then base = tat end
  redis.call("SET", KEYS[1], tostring(base + step), "PX", ttl)
  redis.call("ZREM", KEYS[2], id)
  redis.call("HDEL", KEYS[3], id)
  return 0
end
local wait = math.ceil(math.max(tat, now) - now + rank * step)
if wait < 1 then wait = 1 end
redis.call("HSET", KEYS[3], id, now + wait + grace)
return wait`;

type ThrottlingRedis = RedisConnection & { outboundThrottle(...args: Array<string | number>): Promise<number> };

export interface ThrottleOptions {
  connection: RedisConnection;
  prefix: string;
  /** The key layout; without it, the keys under `prefix` as on one Redis. */
  keys?: RedisKeys;
  /** How overdue the head of a line may be before it is dropped. */
  graceMs?: number;
}

export interface Throttle {
  /** 0: send `messageId` now; otherwise the ms to put it aside. */
  admit(subscriptionId: string, messageId: string, perSecond: number): Promise<number>;
  /** Keeps `messageId`'s place in line while it is put aside `deferMs` for another reason. */
  hold(subscriptionId: string, messageId: string, deferMs: number): Promise<void>;
}

const KEY_TTL_MS = 3_600_000;
/** A key outlives two of its intervals, so a slow pace is kept too. */
const ttlOf = (perSecond: number) => Math.max(KEY_TTL_MS, Math.ceil(2000 / perSecond));

export function createThrottle(o: ThrottleOptions): Throttle {
  const redis = o.connection as ThrottlingRedis;
  if (!redis.outboundThrottle) redis.defineCommand("outboundThrottle", { numberOfKeys: 3, lua: THROTTLE_SCRIPT });
  const graceMs = o.graceMs ?? 5000;
  const keys = (o.keys ?? redisKeys({ prefix: o.prefix })).outboundRate;
  return {
    admit: (subscriptionId, messageId, perSecond) =>
      redis.outboundThrottle(...keys(subscriptionId), messageId, 1000 / perSecond, graceMs, ttlOf(perSecond), "admit"),
    async hold(subscriptionId, messageId, deferMs) {
      await redis.outboundThrottle(...keys(subscriptionId), messageId, 1, graceMs, KEY_TTL_MS, "hold", deferMs);
    },
  };
}
