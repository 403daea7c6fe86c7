import { createEventValidator, DEFAULT_EVENT_LIMITS, isUuid, parseDateTime } from '@herald/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeraldClientError } from './herald-api-error.js';
import { prepareEvent, type PrepareEventOptions } from './prepare-event.js';

const NOW = Date.UTC(2026, 10, 22, 10, 0, 0, 123);
const options: PrepareEventOptions = { validator: createEventValidator(DEFAULT_EVENT_LIMITS), limits: DEFAULT_EVENT_LIMITS, now: () => NOW };
const resource = { 'prefect.resource.id': 'acme.model.churn' };

function rejection(run: () => unknown): { code: string; details: unknown } {
  try {
    run();
  } catch (error) {
    if (error instanceof HeraldClientError) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('expected a HeraldClientError');
}

describe('prepareEvent', () => {
  it('fills id with a UUIDv7 and occurred with the clock, and sends every field', () => {
    const { event, json, key } = prepareEvent({ event: 'acme.model.refreshed', resource }, options);
    expect(isUuid(event.id)).toBe(true);
    expect(event.id[14]).toBe('7');
    expect(key).toBe(event.id);
    expect(event.occurred).toBe('2026-11-22T10:00:00.123000Z');
    expect(JSON.parse(json)).toEqual({ occurred: event.occurred, event: 'acme.model.refreshed', resource, related: [], payload: {}, id: event.id, follows: null });
  });

  it('keeps what the caller gave, accepts a Date, and keys acks on the canonical id', () => {
    const id = '0F6F2D3E1D7B4A5E9A632B8F7C1E9A10';
    const { event, key } = prepareEvent({ event: 'e', resource, id, occurred: new Date(Date.UTC(2024, 3, 1)), follows: null }, options);
    expect([event.id, key, event.occurred]).toEqual([id, '0f6f2d3e-1d7b-4a5e-9a63-2b8f7c1e9a10', '2024-04-01T00:00:00Z']);
  });

  it('gives each event its own time-ordered id', () => {
    const ids = Array.from({ length: 100 }, () => prepareEvent({ event: 'e', resource }, options).event.id);
    expect(new Set(ids).size).toBe(100);
  });

  it('throws EVENT_VALIDATION_FAILED with pointers for an invalid event', () => {
    const r = rejection(() => prepareEvent({ event: 'e', resource: { name: 'x' }, related: [{ 'prefect.resource.id': 'r' }] }, options));
    expect(r.code).toBe('EVENT_VALIDATION_FAILED');
    const issues = (r.details as { issues: { pointer: string; type: string }[] }).issues;
    expect(issues.map((i) => [i.pointer, i.type]).sort()).toEqual([
      ['/related/0/prefect.resource.role', 'missing'],
      ['/resource/prefect.resource.id', 'missing'],
    ]);
  });

  it('refuses an invalid Date and an unparseable occurred at /occurred', () => {
    for (const occurred of [new Date('nope'), 'yesterday']) {
      const r = rejection(() => prepareEvent({ event: 'e', resource, occurred }, options));
      expect((r.details as { issues: { pointer: string }[] }).issues.map((i) => i.pointer)).toEqual(['/occurred']);
    }
  });

  it('measures size as the server does and refuses an event over the limit', () => {
    const limits = { ...DEFAULT_EVENT_LIMITS, maxEventBytes: 400 };
    const small = { ...options, limits };
    const base = prepareEvent({ event: 'e', resource, payload: { s: '' } }, small);
    const room = 400 - (Buffer.byteLength(base.json) + ',"received":"0000-00-00T00:00:00.000000Z"'.length);
    expect(prepareEvent({ event: 'e', resource, payload: { s: 'x'.repeat(room) } }, small).json.length).toBeGreaterThan(0);
    const r = rejection(() => prepareEvent({ event: 'e', resource, payload: { s: 'x'.repeat(room + 1) } }, small));
    expect(r.code).toBe('EVENT_VALIDATION_FAILED');
    expect((r.details as { issues: { type: string; pointer: string }[] }).issues).toMatchObject([{ type: 'event_too_large', pointer: '' }]);
  });

  it('counts multi-byte characters in bytes, not characters', () => {
    const limits = { ...DEFAULT_EVENT_LIMITS, maxEventBytes: 380 }; // 340 bytes with 100 ASCII letters, 440 with 100 'é'
    expect(() => prepareEvent({ event: 'e', resource, payload: { s: 'é'.repeat(100) } }, { ...options, limits })).toThrow(HeraldClientError);
    expect(prepareEvent({ event: 'e', resource, payload: { s: 'e'.repeat(100) } }, { ...options, limits }).key).toBeTruthy();
  });

  it('refuses payloads JSON cannot carry', () => {
    const r = rejection(() => prepareEvent({ event: 'e', resource, payload: { n: 10n as unknown as number } }, options));
    expect((r.details as { issues: { type: string }[] }).issues.map((i) => i.type)).toEqual(['json_invalid']);
  });

  it('produces frames the validator accepts for any valid label set and payload', () => {
    const label = fc.string({ minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(
        fc.dictionary(label, fc.string(), { maxKeys: 5 }),
        fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 5 }),
        fc.string({ maxLength: 50 }),
        (labels, payload, name) => {
          const prepared = prepareEvent({ event: name, resource: { ...labels, 'prefect.resource.id': 'r' }, payload: payload as never }, options);
          const reparsed: unknown = JSON.parse(prepared.json);
          return options.validator.validate(reparsed).ok && parseDateTime((reparsed as { occurred: string }).occurred) !== null;
        },
      ),
    );
  });
});
