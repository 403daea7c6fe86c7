import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.js';

describe('createRateLimiter', () => {
  it('allows a burst of one second, then the rate, and says when to retry', () => {
    const clock = { ms: 0 };
    const limiter = createRateLimiter(() => clock.ms);
    for (let i = 0; i < 10; i++) expect(limiter.take('a', 10)).toEqual({ ok: true });
    expect(limiter.take('a', 10)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('b', 10)).toEqual({ ok: true });
    clock.ms = 100;
    expect(limiter.take('a', 10)).toEqual({ ok: true });
    expect(limiter.take('a', 10).ok).toBe(false);
  });

  it('handles rates below one per second, a changed rate, unlimited and forget', () => {
    const clock = { ms: 0 };
    const limiter = createRateLimiter(() => clock.ms);
    expect(limiter.take('slow', 0.25)).toEqual({ ok: true });
    expect(limiter.take('slow', 0.25)).toEqual({ ok: false, retryAfterSeconds: 4 });
    clock.ms = 4000;
    expect(limiter.take('slow', 0.25)).toEqual({ ok: true });
    expect(limiter.take('slow', 5)).toEqual({ ok: true });
    for (let i = 0; i < 1000; i++) expect(limiter.take('free', 0)).toEqual({ ok: true });
    limiter.forget('slow');
    expect(limiter.take('slow', 0.25)).toEqual({ ok: true });
  });
});
