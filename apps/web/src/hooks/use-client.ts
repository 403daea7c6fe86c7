import { createContext, useContext } from 'react';
import type { BrowserClient } from '@herald/sdk/browser';

/** The SDK client and the API key it uses. */
export interface ClientState {
  client: BrowserClient;
  apiKey: string | null;
  /** Stores a new key (in localStorage) and rebuilds the client. Null forgets the key. */
  setApiKey: (key: string | null) => void;
}

export const ClientContext = createContext<ClientState | null>(null);

/**
 * The Herald client of the app (from `ClientProvider`).
 *
 * @example
 * const { client } = useClient();
 */
export function useClient(): ClientState {
  const state = useContext(ClientContext);
  if (!state) throw new Error('useClient needs a ClientProvider');
  return state;
}
