import { useSyncExternalStore } from 'react';

const CHANGE = 'herald:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

/**
 * Moves to a path inside the app without a reload. `replace` rewrites the current history entry, which
 * filter changes use so that Back leaves the feed instead of undoing each keystroke.
 *
 * @example
 * navigate('/events/0190…');
 */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/**
 * The current path and search string, re-rendering on every navigation.
 *
 * @example
 * const { pathname, search } = useLocation();
 */
export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search);
  const at = href.indexOf('?');
  return at === -1 ? { pathname: href, search: '' } : { pathname: href.slice(0, at), search: href.slice(at) };
}
