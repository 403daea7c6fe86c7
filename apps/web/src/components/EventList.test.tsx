// @vitest-environment jsdom
import { cleanup, fireEvent, render } from '@testing-library/react';
import type { ReceivedEvent } from '@herald/sdk/browser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventList } from './EventList.js';
import { ROW_HEIGHT } from './EventRow.js';

function makeEvents(count: number): ReceivedEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    occurred: new Date(Date.UTC(2026, 10, 22, 12) - i * 1000).toISOString(),
    received: new Date(Date.UTC(2026, 10, 22, 12) - i * 1000).toISOString(),
    event: `acme.row.n${i}`,
    resource: { 'prefect.resource.id': `acme.row.${i}`, team: 'data' },
    related: [{ 'prefect.resource.id': 'acme.flow.1', 'prefect.resource.role': 'flow' }],
    payload: {},
    follows: null,
  }));
}

afterEach(cleanup);

describe('EventList', () => {
  it('keeps only a window of 10,000 rows in the DOM and moves it on scroll', () => {
    const onLoadMore = vi.fn();
    const view = render(<EventList events={makeEvents(10_000)} nowMs={Date.UTC(2026, 10, 22, 12)} selected={0} hasMore={false} loading={false} onLoadMore={onLoadMore} onSelect={() => undefined} />);
    const rows = () => view.container.querySelectorAll('[data-event-id]');
    expect(rows().length).toBeGreaterThan(0);
    expect(rows().length).toBeLessThan(40);
    expect(rows()[0]?.textContent).toContain('acme.row.n0');

    const list = view.getByTestId('event-list');
    list.scrollTop = 5_000 * ROW_HEIGHT;
    fireEvent.scroll(list);
    const ids = [...rows()].map((r) => r.getAttribute('data-event-id'));
    expect(ids.length).toBeLessThan(40);
    expect(ids).toContain('00000000-0000-7000-8000-000000005000');
    expect(onLoadMore).not.toHaveBeenCalled();
  });

  it('asks for the next page near the end', () => {
    const onLoadMore = vi.fn();
    render(<EventList events={makeEvents(20)} nowMs={Date.now()} selected={0} hasMore loading={false} onLoadMore={onLoadMore} onSelect={() => undefined} />);
    expect(onLoadMore).toHaveBeenCalled();
  });

  it('turns a clicked label into a filter for the right side', () => {
    const onLabel = vi.fn();
    const view = render(<EventList events={makeEvents(1)} nowMs={Date.now()} selected={0} hasMore={false} loading={false} onLoadMore={() => undefined} onSelect={() => undefined} onLabel={onLabel} />);
    fireEvent.click(view.getByText('team=data'));
    expect(onLabel).toHaveBeenCalledWith('resources', 'team=data');
  });
});
