"""A Redis-backed limiter that keeps every worker together inside the org's API limits.

Salesforce counts API calls per org, not per process, so the budget lives in
Redis and each check is one Lua script (atomic, and timed by the Redis
server's clock so that workers on different machines agree):

* **daily share** — the connector's own calls over a rolling 24 hours (hourly
  buckets) stay under ``share × the org's 24 h allowance``; the allowance is
  the one Salesforce last reported (``Sforce-Limit-Info`` or ``/limits``), or
  a configured fallback before the first answer;
* **org headroom** — no call is made when the org as a whole (other
  integrations included) is at its allowance by the last reading; readings
  expire after a few minutes, so a stale one cannot stop the connector forever;
* **per-second rate** — a token bucket shared by the fleet smooths bursts;
* **long requests** — a cap on concurrent long requests (Bulk API jobs, big
  queries), held as slots that expire, so a killed worker frees its slot.

The Salesforce client calls :meth:`ApiRateLimiter.acquire` before every API
call and :meth:`ApiRateLimiter.observe_usage` with every reading it gets.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis

from connector.errors import SalesforceLimitExceeded
from connector.settings import Settings

#: A reading of the org's usage is trusted this long; then calls may probe again.
ORG_USAGE_READING_TTL_SECONDS = 300
#: The org's allowance changes rarely (licences); keep the last one a day.
ORG_LIMIT_READING_TTL_SECONDS = 86_400
#: A long-request slot not given back (its worker died) is free again after this.
LONG_REQUEST_SLOT_TTL_SECONDS = 900
#: How often a waiting long request asks again for a slot.
SLOT_POLL_SECONDS = 0.1
#: Hourly buckets kept a little over a day, so the rolling window is always whole.
DAILY_BUCKETS_TTL_SECONDS = 25 * 3600

# Returns {status, a, b}: status 1 = granted (a = connector calls in 24 h, b = budget);
# 0 = wait a milliseconds for tokens; -1 = daily share spent (a used, b budget);
# -2 = the org is at its allowance (a org used, b org allowance).
_ACQUIRE_SCRIPT = """
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost = tonumber(ARGV[1])
local rate_per_ms = tonumber(ARGV[2]) / 1000
local burst = tonumber(ARGV[3])
local share = tonumber(ARGV[4])
local fallback_limit = tonumber(ARGV[5])

local hour = math.floor(now_ms / 3600000)
local used = 0
local buckets = redis.call('HGETALL', KEYS[2])
for i = 1, #buckets, 2 do
    if tonumber(buckets[i]) <= hour - 24 then
        redis.call('HDEL', KEYS[2], buckets[i])
    else
        used = used + tonumber(buckets[i + 1])
    end
end
local org_limit = tonumber(redis.call('GET', KEYS[4])) or fallback_limit
local budget = math.floor(org_limit * share)
if used + cost > budget then
    return {-1, used, budget}
end
local org_used = tonumber(redis.call('GET', KEYS[3]))
if org_used and org_used + cost > org_limit then
    return {-2, org_used, org_limit}
end

local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now_ms
if now_ms > ts then
    tokens = math.min(burst, tokens + (now_ms - ts) * rate_per_ms)
end
if tokens < cost then
    return {0, math.ceil((cost - tokens) / rate_per_ms), 0}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - cost), 'ts', tostring(now_ms))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate_per_ms) + 1000)
redis.call('HINCRBY', KEYS[2], tostring(hour), cost)
redis.call('EXPIRE', KEYS[2], ARGV[6])
if org_used then
    -- Count our own calls onto the reading until the next one arrives (INCRBY keeps the TTL).
    redis.call('INCRBY', KEYS[3], cost)
end
return {1, used + cost, budget}
"""

_TAKE_SLOT_SCRIPT = """
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
    redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[2]), ARGV[3])
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return 1
end
return 0
"""


@dataclass(frozen=True)
class ApiBudget:
    """Where the fleet stands, for ``status`` and the API usage gauge."""

    connector_calls_24h: int
    connector_budget_24h: int
    org_used: int | None
    org_limit: int
    long_requests_in_flight: int


class ApiRateLimiter:
    """The fleet-wide API budget. ``acquire`` blocks up to ``max_wait_seconds``, then refuses."""

    def __init__(self, client: redis.Redis, *, prefix: str, requests_per_second: float, burst: int,
                 share: float, daily_limit: int, max_concurrent_long: int, max_wait_seconds: float,
                 long_request_slot_ttl_seconds: float = LONG_REQUEST_SLOT_TTL_SECONDS) -> None:
        if requests_per_second <= 0 or burst < 1 or not 0 < share <= 1 or daily_limit < 1 \
                or max_concurrent_long < 1 or max_wait_seconds < 0:
            raise ValueError(
                "rate limiter needs requests_per_second > 0, burst >= 1, 0 < share <= 1, "
                "daily_limit >= 1, max_concurrent_long >= 1 and max_wait_seconds >= 0; got "
                f"{requests_per_second=}, {burst=}, {share=}, {daily_limit=}, "
                f"{max_concurrent_long=}, {max_wait_seconds=}")
        self.client = client
        self.requests_per_second = requests_per_second
        self.burst = burst
        self.share = share
        self.daily_limit = daily_limit
        self.max_concurrent_long = max_concurrent_long
        self.max_wait_seconds = max_wait_seconds
        self._slot_ttl_ms = int(long_request_slot_ttl_seconds * 1000)
        base = f"{prefix}:ratelimit"
        self._bucket_key = f"{base}:bucket"
        self._daily_key = f"{base}:daily"
        self._org_used_key = f"{base}:org-used"
        self._org_limit_key = f"{base}:org-limit"
        self._slots_key = f"{base}:long-requests"
        self._acquire_script = client.register_script(_ACQUIRE_SCRIPT)
        self._take_slot_script = client.register_script(_TAKE_SLOT_SCRIPT)

    @classmethod
    def from_settings(cls, client: redis.Redis, settings: Settings) -> ApiRateLimiter:
        return cls(client, prefix=settings.redis_key_prefix,
                   requests_per_second=settings.sf_api_requests_per_second, burst=settings.sf_api_burst,
                   share=settings.sf_api_share, daily_limit=settings.sf_api_daily_limit,
                   max_concurrent_long=settings.sf_api_max_concurrent_long,
                   max_wait_seconds=settings.sf_api_max_wait_seconds)

    def acquire(self, cost: int = 1) -> None:
        """Wait until ``cost`` API calls may be made; raise ``SalesforceLimitExceeded`` if not in time.

        A spent daily share or a full org fails at once: waiting seconds
        would not help, and the work stays pending for a later run.
        """
        if not 1 <= cost <= self.burst:
            raise ValueError(f"cost must be between 1 and the burst size {self.burst}, got {cost}")
        deadline = time.monotonic() + self.max_wait_seconds
        while True:
            status, first, second = self._acquire_script(
                keys=[self._bucket_key, self._daily_key, self._org_used_key, self._org_limit_key],
                args=[cost, self.requests_per_second, self.burst, self.share, self.daily_limit,
                      DAILY_BUCKETS_TTL_SECONDS])
            if status == 1:
                return
            if status == -1:
                raise SalesforceLimitExceeded(
                    f"the connector's API share is spent: {first} calls in the last 24 h of a budget of "
                    f"{second} ({self.share:.0%} of the org's allowance)", code="CONNECTOR_BUDGET_SPENT")
            if status == -2:
                raise SalesforceLimitExceeded(
                    f"the org is at its API allowance: {first} of {second} calls used in the last 24 h",
                    code="ORG_LIMIT_REACHED")
            remaining_seconds = deadline - time.monotonic()
            if remaining_seconds <= 0:
                raise SalesforceLimitExceeded(
                    f"no API capacity within {self.max_wait_seconds:g} s: the fleet is at its rate of "
                    f"{self.requests_per_second:g} calls per second", code="CONNECTOR_RATE_LIMITED")
            time.sleep(min(first / 1000, remaining_seconds))

    def observe_usage(self, *, used: int, limit: int) -> None:
        """Record the org's 24 h usage as Salesforce reported it (``api-usage=used/limit``)."""
        if used < 0 or limit < 1:
            raise ValueError(f"an API usage reading needs used >= 0 and limit >= 1, got {used}/{limit}")
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(self._org_used_key, used, ex=ORG_USAGE_READING_TTL_SECONDS)
            pipe.set(self._org_limit_key, limit, ex=ORG_LIMIT_READING_TTL_SECONDS)
            pipe.execute()

    @contextmanager
    def long_request(self) -> Iterator[None]:
        """Hold one of the fleet's long-request slots while the block runs."""
        token = secrets.token_hex(8)
        deadline = time.monotonic() + self.max_wait_seconds
        while not self._take_slot_script(keys=[self._slots_key],
                                         args=[self.max_concurrent_long, self._slot_ttl_ms, token]):
            remaining_seconds = deadline - time.monotonic()
            if remaining_seconds <= 0:
                raise SalesforceLimitExceeded(
                    f"all {self.max_concurrent_long} long-request slots stayed busy for "
                    f"{self.max_wait_seconds:g} s", code="CONNECTOR_LONG_REQUESTS_BUSY")
            time.sleep(min(SLOT_POLL_SECONDS, remaining_seconds))
        try:
            yield
        finally:
            self.client.zrem(self._slots_key, token)

    def budget(self) -> ApiBudget:
        """The fleet's current standing (reads only)."""
        hour = int(self._server_time_seconds() // 3600)
        buckets = self.client.hgetall(self._daily_key)
        calls = sum(int(count) for bucket, count in buckets.items() if int(bucket) > hour - 24)
        org_used = self.client.get(self._org_used_key)
        org_limit = int(self.client.get(self._org_limit_key) or self.daily_limit)
        now_ms = int(self._server_time_seconds() * 1000)
        in_flight = self.client.zcount(self._slots_key, now_ms, "+inf")
        return ApiBudget(connector_calls_24h=calls, connector_budget_24h=int(org_limit * self.share),
                         org_used=int(org_used) if org_used is not None else None, org_limit=org_limit,
                         long_requests_in_flight=in_flight)

    def _server_time_seconds(self) -> float:
        seconds, micros = self.client.time()
        return seconds + micros / 1_000_000
