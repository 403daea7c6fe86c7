import { useState, type FormEvent } from 'react';
import { HeraldClientError } from '@herald/sdk/browser';
import { useClient } from '../hooks/use-client.js';

/** True for the errors an API key fixes. */
export function isAuthError(error: unknown): boolean {
  return error instanceof HeraldClientError && (error.code === 'AUTH_REQUIRED' || error.code === 'AUTH_INVALID');
}

/**
 * Explains a failed request: a key prompt when the server wants an API key, "cannot reach" with a
 * retry when the server is down, and the server's message otherwise.
 */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (isAuthError(error)) return <ApiKeyPrompt invalid={(error as HeraldClientError).code === 'AUTH_INVALID'} />;
  const unreachable = error instanceof HeraldClientError && (error.code === 'CONNECTION_FAILED' || error.code === 'TIMEOUT');
  return (
    <div className="state state-error" role="alert" data-testid="error-state">
      <h2>{unreachable ? 'Cannot reach the Herald server' : 'Something went wrong'}</h2>
      <p>{unreachable ? 'The server did not answer. Check that `herald start` is running, then retry.' : error instanceof Error ? error.message : String(error)}</p>
      {error instanceof HeraldClientError && <p className="muted mono">{error.code}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** Asks for an API key and stores it for this browser. */
export function ApiKeyPrompt({ invalid }: { invalid: boolean }) {
  const { setApiKey } = useClient();
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim() !== '') setApiKey(value.trim());
  };
  return (
    <form className="state" onSubmit={submit} data-testid="api-key-prompt">
      <h2>{invalid ? 'This API key was refused' : 'This server needs an API key'}</h2>
      <p>
        Create one with <code>herald keys create --name ui</code> and paste it here. It is kept in this browser&apos;s local storage and sent as a
        Bearer token.
      </p>
      <input type="password" autoFocus placeholder="hk_…" value={value} onChange={(e) => setValue(e.target.value)} aria-label="API key" />
      <button type="submit">Use this key</button>
    </form>
  );
}
