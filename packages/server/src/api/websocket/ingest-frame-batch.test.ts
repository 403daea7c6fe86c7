import { describe, expect, it } from 'vitest';
import type { IngestOneResult, IngestService } from '../../ingestion/ingest-service.js';
import { createMetrics } from '../../observability/metrics.js';
import { survivingAfterGc } from '../../test-support/garbage.js';
import type { Frame } from './frame-reader.js';
import { ingestFrameBatch } from './ingest-frame-batch.js';

const metrics = createMetrics(async () => 0);

const textFrame = (text: string): Frame => ({ data: Buffer.from(text), isBinary: false, receivedAt: 0 });

/** An ingest service that accepts every input it is given, answering once `gate` resolves. */
function acceptingIngest(gate: Promise<void>): { ingest: IngestService; batches: number[] } {
  const batches: number[] = [];
  const ingestFrames = (inputs: readonly unknown[]): Promise<IngestOneResult[]> => {
    batches.push(inputs.length);
    // Answered from ids taken now, so that this fake keeps none of the inputs either.
    const results = inputs.map((input): IngestOneResult => ({ ok: true, id: (input as { id: string }).id, result: 'inserted' }));
    return gate.then(() => results);
  };
  const unused = () => Promise.reject(new Error('not used by ingestFrameBatch'));
  return { ingest: { ingestFrames, ingestBatch: unused, ingestOne: unused }, batches };
}

describe('ingestFrameBatch', () => {
  it('refuses binary, non-JSON and prototype-poisoning frames in place and ingests the rest in one call', async () => {
    const { ingest, batches } = acceptingIngest(Promise.resolve());
    const frames = [
      textFrame('{"id":"a"}'),
      { data: Buffer.from('{"id":"b"}'), isBinary: true, receivedAt: 0 },
      textFrame('{"id":'),
      textFrame('{"id":"c","__proto__":{"polluted":true}}'),
      textFrame('{"id":"d"}'),
    ];
    const results = await ingestFrameBatch(frames, { ingest, metrics });
    expect(results.map((r) => (r.ok ? r.id : r.issues[0]!.type))).toEqual(['a', 'binary_frame', 'json_invalid', 'json_invalid', 'd']);
    expect(batches).toEqual([2]);
  });

  it('keeps neither the frames nor their bytes while the commit runs', async () => {
    // A websocket keeps thousands of frames' events in flight; each kept object would be copied by
    // every young-generation GC.
    let release!: () => void;
    const { ingest } = acceptingIngest(new Promise<void>((resolve) => (release = resolve)));
    const { answered, kept } = ingestUnreferenced(ingest, 3);
    expect(await survivingAfterGc(kept)).toBe(0);
    release();
    expect((await answered).every((r) => r.ok)).toBe(true);
  });
});

/** Hands `count` frames to `ingestFrameBatch` and keeps only weak references to them and their bytes. */
function ingestUnreferenced(ingest: IngestService, count: number): { answered: Promise<IngestOneResult[]>; kept: WeakRef<object>[] } {
  const frames = Array.from({ length: count }, (_, i) => textFrame(JSON.stringify({ id: `frame-${i}`, payload: { n: i } })));
  const kept = frames.flatMap((frame) => [new WeakRef(frame), new WeakRef(frame.data)]);
  return { answered: ingestFrameBatch(frames, { ingest, metrics }), kept };
}
