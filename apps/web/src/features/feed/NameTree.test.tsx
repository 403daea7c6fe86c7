// @vitest-environment jsdom
import { cleanup, fireEvent, render } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildNameTree } from '../../lib/name-tree.js';
import { NameTree } from './NameTree.js';

afterEach(cleanup);

describe('NameTree', () => {
  const nodes = buildNameTree([
    { value: 'acme.model.refreshed', count: 3 },
    { value: 'acme.model.failed', count: 5 },
  ]);

  it('toggles a prefix and shows the selection', () => {
    const onToggle = vi.fn();
    const view = render(<NameTree nodes={nodes} selected={['acme.model.*']} onToggle={onToggle} />);
    const model = view.getByTitle('acme.model.*').querySelector('input')!;
    expect(model.checked).toBe(true);
    fireEvent.click(view.getByTitle('acme.*').querySelector('input')!);
    expect(onToggle).toHaveBeenCalledWith('acme.*');
  });

  it('opens the branch of a selected name and selects exact leaves', () => {
    const onToggle = vi.fn();
    const view = render(<NameTree nodes={nodes} selected={['acme.model.failed']} onToggle={onToggle} />);
    fireEvent.click(view.getByTitle('acme.model.refreshed').querySelector('input')!);
    expect(onToggle).toHaveBeenCalledWith('acme.model.refreshed');
  });
});
