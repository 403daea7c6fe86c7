import { lazy, Suspense, useEffect, useState } from 'react';
import { ClientProvider } from './components/ClientProvider.js';
import { Link } from './components/Link.js';
import { navigate, useLocation } from './hooks/use-location.js';

// One chunk per route: the feed does not pay for the event page, and so on.
const FeedPage = lazy(() => import('./features/feed/FeedPage.js'));
const EventPage = lazy(() => import('./features/event/EventPage.js'));
const ResourcePage = lazy(() => import('./features/resource/ResourcePage.js'));
const AutomationsPage = lazy(() => import('./features/automations/AutomationsPage.js'));
const AutomationPage = lazy(() => import('./features/automations/AutomationPage.js'));
const WebhooksPage = lazy(() => import('./features/webhooks/WebhooksPage.js'));
const WebhookPage = lazy(() => import('./features/webhooks/WebhookPage.js'));

type Theme = 'light' | 'dark';
const THEME_STORAGE = 'herald.theme';

function initialTheme(): Theme {
  const stored = window.localStorage.getItem(THEME_STORAGE);
  if (stored === 'light' || stored === 'dark') return stored;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function Route({ pathname, search }: { pathname: string; search: string }) {
  const event = /^\/events\/([^/]+)$/.exec(pathname);
  if (event?.[1]) return <EventPage key={event[1]} id={decodeURIComponent(event[1])} />;
  const resource = /^\/resources\/(.+)$/.exec(pathname);
  if (resource?.[1]) return <ResourcePage key={resource[1]} id={decodeURIComponent(resource[1])} />;
  if (pathname === '/events') return <FeedPage />;
  if (pathname === '/automations') return <AutomationsPage />;
  if (pathname === '/automations/new') return <AutomationPage key={search} id={null} fromEvent={new URLSearchParams(search).get('event')} />;
  const automation = /^\/automations\/([^/]+)$/.exec(pathname);
  if (automation?.[1]) return <AutomationPage key={automation[1]} id={decodeURIComponent(automation[1])} fromEvent={null} />;
  if (pathname === '/webhooks') return <WebhooksPage />;
  if (pathname === '/webhooks/new') return <WebhookPage key="new" id={null} />;
  const webhook = /^\/webhooks\/([^/]+)$/.exec(pathname);
  if (webhook?.[1]) return <WebhookPage key={webhook[1]} id={decodeURIComponent(webhook[1])} />;
  return (
    <div className="state page">
      <h2>Nothing here</h2>
      <p className="mono">{pathname}</p>
      <Link href="/events">Go to the event feed</Link>
    </div>
  );
}

/** The shell: header with navigation and theme switch, and the page for the current path. */
export function App() {
  const { pathname, search } = useLocation();
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    window.localStorage.setItem(THEME_STORAGE, theme);
  }, [theme]);
  useEffect(() => {
    if (pathname === '/') navigate('/events', { replace: true });
  }, [pathname]);

  return (
    <ClientProvider>
      <header className="app-header">
        <Link href="/events" className="brand">
          Herald
        </Link>
        <nav>
          <Link href="/events" aria-current={pathname.startsWith('/events') ? 'page' : undefined}>
            Events
          </Link>
          <Link href="/automations" aria-current={pathname.startsWith('/automations') ? 'page' : undefined}>
            Automations
          </Link>
          <Link href="/webhooks" aria-current={pathname.startsWith('/webhooks') ? 'page' : undefined}>
            Webhooks
          </Link>
        </nav>
        <span className="spacer" />
        <a href="/docs" className="muted">
          API docs
        </a>
        <button type="button" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label="Switch theme" data-testid="theme-toggle">
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
      </header>
      <main>
        <Suspense fallback={<p className="muted page">Loading…</p>}>
          <Route pathname={pathname} search={search} />
        </Suspense>
      </main>
    </ClientProvider>
  );
}
