import { type JSX, createSignal, splitProps } from 'solid-js';

// Six screens don't earn a router dependency: the History API plus one signal covers links, back/forward and
// deep links (the Worker answers unknown paths with index.html).
const [location, setLocation] = createSignal({ pathname: window.location.pathname, search: window.location.search });

/** A screen that must not be left unasked (rows being saved) says why; the user confirms or stays. */
let leaveGuard: (() => string | null) | null = null;

export function guardLeaving(guard: () => string | null): () => void {
  leaveGuard = guard;
  return () => {
    if (leaveGuard === guard) leaveGuard = null;
  };
}

function mayLeave(): boolean {
  const reason = leaveGuard?.() ?? null;
  return reason === null || window.confirm(reason);
}

window.addEventListener('popstate', () => {
  // Back and forward have already moved the address: staying means putting the screen's address back.
  if (!mayLeave()) {
    const here = location();
    window.history.pushState(null, '', `${here.pathname}${here.search}`);
    return;
  }
  setLocation({ pathname: window.location.pathname, search: window.location.search });
});

export { location };

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = new URL(to, window.location.origin);
  if (url.pathname === window.location.pathname && url.search === window.location.search) return;
  if (!mayLeave()) return;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  setLocation({ pathname: url.pathname, search: url.search });
  window.scrollTo(0, 0);
  // Screen readers hear nothing when only part of the page changes: start them at the new content.
  document.getElementById('main')?.focus({ preventScroll: true });
}

export type Route =
  | { page: 'import' }
  | { page: 'audiences' }
  | { page: 'audience'; id: string }
  | { page: 'report'; id: string }
  | { page: 'connections' }
  | { page: 'integration'; id: string }
  | { page: 'not-found' };

export function matchRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'import')) return { page: 'import' };
  if (parts[0] === 'audiences' && parts.length === 1) return { page: 'audiences' };
  if (parts[0] === 'audiences' && parts.length === 2 && parts[1]) return { page: 'audience', id: parts[1] };
  if (parts[0] === 'connections' && parts.length === 1) return { page: 'connections' };
  if (parts[0] === 'connections' && parts.length === 3 && parts[1] && parts[2] === 'integration') return { page: 'integration', id: parts[1] };
  if (parts[0] === 'imports' && parts.length === 3 && parts[1] && parts[2] === 'report') return { page: 'report', id: parts[1] };
  return { page: 'not-found' };
}

/** An <a> that navigates without a reload, yet keeps open-in-new-tab and modifier clicks working. */
export function Link(props: JSX.AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const [local, rest] = splitProps(props, ['href', 'onClick']);
  return (
    <a
      {...rest}
      href={local.href}
      onClick={(event) => {
        if (typeof local.onClick === 'function') (local.onClick as (e: MouseEvent) => void)(event);
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(local.href);
      }}
    />
  );
}
