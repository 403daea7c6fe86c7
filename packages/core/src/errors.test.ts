import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, HeraldError } from './errors.js';

function thrownFrom(code: keyof typeof ERROR_CATALOGUE): HeraldError {
  return new HeraldError(code, { details: { at: 'here' } });
}

describe('HeraldError', () => {
  it('takes its status and default message from the catalogue', () => {
    const error = new HeraldError('EVENT_NOT_FOUND');
    expect([error.name, error.code, error.status, error.message]).toEqual(['HeraldError', 'EVENT_NOT_FOUND', 404, 'No event has this id.']);
    expect(new HeraldError('FILTER_INVALID', { message: 'bad' }).message).toBe('bad');
  });

  it('captures no stack for a client error, and the stack of a server error', () => {
    expect(thrownFrom('ROUTE_NOT_FOUND').stack).toBe('HeraldError: No route matches this method and path.');
    expect(thrownFrom('EVENT_VALIDATION_FAILED').stack?.split('\n')).toHaveLength(1);
    const server = thrownFrom('INTERNAL').stack!.split('\n');
    expect(server.length).toBeGreaterThan(1);
    expect(server[1]).toContain('thrownFrom');
  });

  it('leaves the stack trace limit as it found it, for every other error', () => {
    const before = Error.stackTraceLimit;
    thrownFrom('AUTH_INVALID');
    thrownFrom('STORAGE_UNAVAILABLE');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('plain').stack!.split('\n').length).toBeGreaterThan(1);
  });
});
