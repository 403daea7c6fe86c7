import { HeraldError } from '@herald/core';
import { HeraldApiError, HeraldClientError } from '@herald/sdk';
import { describe, expect, it } from 'vitest';
import { formatCliError, UsageError } from './cli-error.js';

describe('formatCliError', () => {
  it('renders every kind of error as one line with its code', () => {
    const api = new HeraldApiError(422, 'FILTER_INVALID', 'The filter is invalid.', {
      details: { issues: [{ pointer: '/filter/x', type: 'extra_forbidden', message: 'Extra inputs are not permitted' }, { pointer: '/filter/y', type: 'x', message: 'y' }] },
    });
    const lines = [
      formatCliError(api, false),
      formatCliError(new HeraldClientError('CONNECTION_FAILED', 'Cannot reach Herald at http://127.0.0.1:1: ECONNREFUSED'), false),
      formatCliError(new HeraldError('CONFIG_INVALID', { message: 'Invalid configuration:\n port' }), false),
      formatCliError(new UsageError('--label expects key=value'), false),
      formatCliError(Object.assign(new Error('nope'), { code: 'EACCES' }), false),
    ];
    expect(lines).toEqual([
      'herald: FILTER_INVALID (HTTP 422): The filter is invalid. — /filter/x: Extra inputs are not permitted (and 1 more)',
      'herald: CONNECTION_FAILED: Cannot reach Herald at http://127.0.0.1:1: ECONNREFUSED',
      'herald: CONFIG_INVALID: Invalid configuration: port',
      'herald: --label expects key=value',
      'herald: EACCES: nope',
    ]);
    for (const line of lines) expect(line.includes('\n')).toBe(false);
  });

  it('adds the stack only in debug mode', () => {
    const text = formatCliError(new Error('boom'), true);
    expect(text.split('\n')[0]).toBe('herald: boom');
    expect(text.split('\n').length).toBeGreaterThan(2);
  });
});
