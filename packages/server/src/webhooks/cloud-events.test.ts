import { CloudEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { cloudEventEventId, cloudEventToEvent, parseCloudEvents } from './cloud-events.js';
import type { InboundRequest } from './inbound-request.js';

const request = (headers: Record<string, string>, body: string): InboundRequest => ({ method: 'POST', headers, query: '', body: Buffer.from(body), received: 0 });

describe('CloudEvents', () => {
  it('maps binary data to payload.data_base64 and keeps extensions under payload.cloudevents', () => {
    const message = HTTP.structured(new CloudEvent({ id: '1', source: 'urn:s', type: 't.x', data_base64: Buffer.from([0, 1, 255]).toString('base64'), traceparent: 'tp' }));
    const parsed = parseCloudEvents(request(message.headers as Record<string, string>, String(message.body)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const event = cloudEventToEvent(parsed.events[0]!, 'w1');
    expect(event.resource).toEqual({ 'prefect.resource.id': 'urn:s' });
    expect(event.payload).toEqual({ data_base64: 'AAH/', cloudevents: expect.objectContaining({ id: '1', traceparent: 'tp', specversion: '1.0' }) });
    expect(event.occurred).toBe(parsed.events[0]!.time);
  });

  it('refuses requests that are not CloudEvents, with the reason', () => {
    expect(parseCloudEvents(request({ 'content-type': 'application/json' }, '{}'))).toEqual({ ok: false, error: expect.stringContaining('no cloud event detected') });
    expect(parseCloudEvents(request({ 'content-type': 'application/cloudevents-batch+json' }, '[]'))).toEqual({ ok: false, error: 'the CloudEvents batch is empty' });
    const missingSource = parseCloudEvents(request({ 'ce-id': '1', 'ce-type': 't', 'ce-specversion': '1.0' }, ''));
    expect(missingSource.ok).toBe(false);
  });

  it('derives one stable UUID per webhook, source and id', () => {
    const id = cloudEventEventId('w', 's', '1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(cloudEventEventId('w', 's', '1')).toBe(id);
    expect(cloudEventEventId('w2', 's', '1')).not.toBe(id);
  });
});
