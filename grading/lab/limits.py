"""The rate a learner may post at: a bucket of BURST requests per learner, refilled at RATE a second. A
learner's kernel sends a check's event at once, in batches when it has several; a flood beyond that is
answered 429 (with Retry-After) and stored nowhere."""
import time

BURST = 30
RATE = 2.0  # requests a second, in the long run


class RateLimit:
    def __init__(self, burst=BURST, rate=RATE, clock=time.monotonic):
        self.burst, self.rate, self.clock = burst, rate, clock
        self.buckets = {}  # learner: (tokens, when)

    def allow(self, learner):
        """True when `learner` may post now (and count it); False when over the rate."""
        now = self.clock()
        tokens, then = self.buckets.get(learner, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens < 1:
            self.buckets[learner] = (tokens, now)
            return False
        self.buckets[learner] = (tokens - 1, now)
        return True

    def wait(self, learner):
        """Seconds until `learner` may post again."""
        tokens, _ = self.buckets.get(learner, (self.burst, 0))
        return max(1, int((1 - tokens) / self.rate + 0.999))
