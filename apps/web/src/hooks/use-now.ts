import { useEffect, useState } from 'react';

/**
 * The current time in epoch ms, refreshed every `intervalMs` (for relative times).
 *
 * @example
 * const now = useNow(15_000);
 */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
