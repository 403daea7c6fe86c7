import { useMemo, useState, type ReactNode } from 'react';
import { createBrowserClient } from '@herald/sdk/browser';
import { ClientContext } from '../hooks/use-client.js';

const KEY_STORAGE = 'herald.apiKey';

/** Creates the SDK client for this origin, with the API key kept in localStorage. */
export function ClientProvider({ children }: { children: ReactNode }) {
  const [apiKey, setKey] = useState<string | null>(() => window.localStorage.getItem(KEY_STORAGE));
  const state = useMemo(
    () => ({
      client: createBrowserClient({ url: window.location.origin, ...(apiKey ? { apiKey } : {}) }),
      apiKey,
      setApiKey: (key: string | null) => {
        if (key) window.localStorage.setItem(KEY_STORAGE, key);
        else window.localStorage.removeItem(KEY_STORAGE);
        setKey(key);
      },
    }),
    [apiKey],
  );
  return <ClientContext.Provider value={state}>{children}</ClientContext.Provider>;
}
