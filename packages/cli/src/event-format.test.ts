import type { ReceivedEvent } from '@herald/sdk';
import { describe, expect, it } from 'vitest';
import { formatEventLine, formatEventTable } from './event-format.js';

const event = (occurred: string, name: string, resource: string): ReceivedEvent => ({
  occurred,
  event: name,
  resource: { 'prefect.resource.id': resource },
  related: [],
  payload: {},
  id: '0193a5c2-7c7e-7000-8000-000000000001',
  follows: null,
  received: occurred,
});

describe('event formatting', () => {
  it('aligns the table columns to the widest value', () => {
    const table = formatEventTable([event('2026-11-22T10:00:00Z', 'a.long.event.name', 'r1'), event('2026-11-22T10:00:01.5Z', 'b', 'resource.two')]);
    expect(table.split('\n')).toEqual([
      'TIME                    EVENT              RESOURCE',
      '2026-11-22T10:00:00Z    a.long.event.name  r1',
      '2026-11-22T10:00:01.5Z  b                  resource.two',
      '',
    ]);
  });

  it('prints one line per streamed event', () => {
    expect(formatEventLine(event('2026-11-22T10:00:00Z', 'e', 'r'))).toBe('2026-11-22T10:00:00Z  e  r\n');
  });
});
