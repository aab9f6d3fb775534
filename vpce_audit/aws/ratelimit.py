"""Client-side pacing for APIs whose limit is per account, not per caller: Route 53 (5 requests/s per
account, shared with every other tool in it) and Route 53 Resolver (5/s per account and region). The
limiter admits at most 5 request starts in any rolling second: AWS's documented limit, no more.

Retries with backoff recover from throttling, but each throttled request still spends the account's budget
and slows the other tools sharing it; pacing below the limit avoids the throttles in the first place.
"""

from __future__ import annotations

import math
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

# Route 53 and Resolver allow 5/s per account. A sliding window (not a token bucket) never lets a rolling
# second hold more than that; a throttle (another tool spending the same budget) is still retried with backoff.
DEFAULT_RATE = 5.0


class RateLimiter:
    """A sliding-window limiter: at most `burst` request starts in any window of `burst / rate` seconds,
    whichever thread sends them. With burst=1 it is a minimal-interval pacer (starts 1/rate apart).

    Unlike a token bucket, whose window can hold capacity + rate requests, the window here never holds more
    than `burst`, so with burst == rate no rolling second sees more than `rate`. The window is kept on the
    times requests really start (read after any sleep), not on planned ones: a late wake-up then delays the
    requests after it instead of squeezing them closer together.
    """

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        observe: Callable[[float], None] | None = None,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"rate must be positive and burst at least 1, not {rate} and {burst}")
        self.rate = rate
        self.burst = burst
        self.window = burst / rate
        self._clock = clock
        self._sleep = sleep
        self._observe = observe  # told each start time, in order (tests prove the bound with it)
        # Held while sleeping: the next request's earliest start depends on this one's real start, so
        # callers queue here, which is what a shared per-account limit means anyway.
        self._turn = threading.Lock()
        self._starts: deque[float] = deque(maxlen=burst)  # the last `burst` start times
        self._stats = threading.Lock()
        self._requests = 0
        self._waited = 0.0

    def acquire(self) -> float:
        """Block until this request may start; returns the seconds it waited (queueing included)."""
        entered = self._clock()
        with self._turn:
            now = self._clock()
            if len(self._starts) == self.burst:
                due = self._starts[0] + self.window
                while now < due:
                    self._sleep(due - now)
                    now = self._clock()
            self._starts.append(now)
            if self._observe is not None:
                self._observe(now)
        waited = now - entered
        with self._stats:
            self._requests += 1
            self._waited += waited
        return waited

    @property
    def requests(self) -> int:
        with self._stats:
            return self._requests

    @property
    def waited(self) -> float:
        """Seconds spent waiting in total, summed over threads: what the pacing cost."""
        with self._stats:
            return self._waited

    def __call__(self, **_: Any) -> None:
        # botocore event handler: returning None lets the request go on to be sent.
        self.acquire()


_paced: weakref.WeakKeyDictionary[Any, RateLimiter] = weakref.WeakKeyDictionary()
_paced_lock = threading.Lock()


def pace(client: Any, rate: float = DEFAULT_RATE) -> RateLimiter:
    """The one limiter of `client`, attached on first use (later rates are ignored).

    Its burst is the whole rate (for integer rates: at most `rate` starts in any rolling second), so a small
    account's handful of calls never waits while a large one is held to the rate. A ClientFactory caches one
    client per (service, region) per account, so pacing that client paces the account (or the account and
    region, for Resolver) across every thread that uses it.
    """
    return attach(client, lambda: RateLimiter(rate, max(1, math.floor(rate))))


def attach(client: Any, make: Callable[[], RateLimiter]) -> RateLimiter:
    """Hook a limiter made by `make` onto `client` unless one is there already; return the client's limiter.

    The hook is `before-send`, which fires for every HTTP attempt: each page of a paginator and each retry
    spends the account's budget, so each is paced.
    """
    with _paced_lock:
        limiter = _paced.get(client)
        if limiter is None:
            limiter = make()
            service_id = client.meta.service_model.service_id.hyphenize()
            client.meta.events.register(f"before-send.{service_id}", limiter, unique_id="vpce-audit-pace")
            _paced[client] = limiter
        return limiter


def limiter_of(client: Any) -> RateLimiter | None:
    """The limiter `pace` attached to `client`, if any (benchmarks read its `waited`)."""
    with _paced_lock:
        return _paced.get(client)
