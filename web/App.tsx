import { createMemo, lazy, Match, Suspense, Switch } from 'solid-js';
import { Link, location, matchRoute } from './pages/navigation.tsx';
import { ImportPage } from './pages/import/ImportPage.tsx';
import { AccountMenu } from './pages/auth/AccountMenu.tsx';
import { AuthGate } from './pages/auth/AuthGate.tsx';
import { session } from './pages/auth/session.ts';

// The import page is the landing screen and ships in the main bundle; the others load on first visit.
const AudiencesPage = lazy(() => import('./pages/audiences/AudiencesPage.tsx'));
const AudiencePage = lazy(() => import('./pages/audiences/AudiencePage.tsx'));
const ReportPage = lazy(() => import('./pages/report/ReportPage.tsx'));
const ConnectionsPage = lazy(() => import('./pages/connections/ConnectionsPage.tsx'));
const MembersPage = lazy(() => import('./pages/members/MembersPage.tsx'));
const IntegrationSettingsPage = lazy(() => import('./pages/integration/IntegrationSettingsPage.tsx'));
const HistoryPage = lazy(() => import('./pages/connections/HistoryPage.tsx'));
const WorkspaceSettingsPage = lazy(() => import('./pages/settings/WorkspaceSettingsPage.tsx'));

export function App() {
  const route = createMemo(() => matchRoute(location().pathname));
  const section = () => {
    const page = route().page;
    if (page === 'connections' || page === 'integration') return 'connections';
    return page === 'audiences' || page === 'audience' ? 'audiences' : page === 'import' || page === 'report' ? 'import' : '';
  };
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="app-header">
        <Link href="/" class="brand">
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>
          Audience import
        </Link>
        <nav aria-label="Main" hidden={!session()?.workspace}>
          <Link href="/import" aria-current={section() === 'import' ? 'page' : undefined}>
            Import
          </Link>
          <Link href="/audiences" aria-current={section() === 'audiences' ? 'page' : undefined}>
            Audiences
          </Link>
          <Link href="/connections" aria-current={section() === 'connections' ? 'page' : undefined}>
            Integrated systems
          </Link>
        </nav>
        <AccountMenu />
      </header>
      <main id="main" tabindex="-1">
        <Suspense fallback={<p class="muted page-loading">Loading…</p>}>
          <AuthGate>
          <Switch fallback={<NotFound />}>
            <Match when={location().pathname === '/members'}>
              <MembersPage />
            </Match>
            <Match when={location().pathname === '/history'}>
              <HistoryPage />
            </Match>
            <Match when={location().pathname === '/settings'}>
              <WorkspaceSettingsPage />
            </Match>
            <Match when={route().page === 'import'}>
              <ImportPage />
            </Match>
            <Match when={route().page === 'connections'}>
              <ConnectionsPage />
            </Match>
            <Match when={(() => { const r = route(); return r.page === 'integration' ? r.id : undefined; })()} keyed>
              {(id) => <IntegrationSettingsPage id={id} />}
            </Match>
            <Match when={route().page === 'audiences'}>
              <AudiencesPage />
            </Match>
            <Match when={(() => { const r = route(); return r.page === 'audience' ? r.id : undefined; })()} keyed>
              {(id) => <AudiencePage id={id} />}
            </Match>
            <Match when={(() => { const r = route(); return r.page === 'report' ? r.id : undefined; })()} keyed>
              {(id) => <ReportPage id={id} />}
            </Match>
          </Switch>
          </AuthGate>
        </Suspense>
      </main>
    </>
  );
}

function NotFound() {
  return (
    <section class="page narrow">
      <h1>Page not found</h1>
      <p>
        There is nothing at <code>{location().pathname}</code>. <Link href="/import">Start an import</Link> or{' '}
        <Link href="/audiences">see your audiences</Link>.
      </p>
    </section>
  );
}
