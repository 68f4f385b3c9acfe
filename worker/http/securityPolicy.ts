/**
 * The security headers of every answer, defined once: the Worker sets API_HEADERS on /api answers, and the SPA's
 * static files get SPA_HEADERS through a `_headers` file the build writes into dist/ (headersFile()). Pure data,
 * so vite.config.ts (Node) can import it too.
 */

/**
 * The SPA's policy. Everything it loads is its own bundle (scripts, the CSV parse worker, CSS) plus the inline SVG
 * favicon (data:). `style-src-attr 'unsafe-inline'`: Solid compiles static `style={{…}}` props into the `style`
 * attributes of its HTML templates, which style-src 'self' alone would drop; attributes cannot load anything or
 * carry selectors, while <style> elements stay forbidden. `form-action 'self'` and no `connect-src` beyond 'self':
 * the CRM sign-ins are top-level navigations, never fetches. `frame-ancestors 'none'`: the consent box and Save
 * must not be clickable through someone else's frame.
 */
export const SPA_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** JSON and CSV answers render nothing: a browser that opens one directly may not run or load anything for it. */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const COMMON_HEADERS = {
  // For browsers without CSP frame-ancestors.
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // The callback URLs and the SPA's addresses carry ids; nothing of them goes to another site.
  'Referrer-Policy': 'no-referrer',
  // The CRM sign-ins are full-page redirects, not popups, so no window needs a handle on ours.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  // Ignored by browsers over plain http (local dev); pins https once the app is deployed.
  'Strict-Transport-Security': 'max-age=31536000',
} as const;

export const API_HEADERS: Readonly<Record<string, string>> = {
  ...COMMON_HEADERS,
  'Content-Security-Policy': API_CONTENT_SECURITY_POLICY,
  // Another origin may not embed an API answer (e.g. as a script or image) even where CORS does not apply.
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export const SPA_HEADERS: Readonly<Record<string, string>> = {
  ...COMMON_HEADERS,
  'Content-Security-Policy': SPA_CONTENT_SECURITY_POLICY,
};

/**
 * The `_headers` file of Workers static assets (https://developers.cloudflare.com/workers/static-assets/headers/):
 * one rule for every path the assets binding answers, the SPA fallback (index.html for /connections…) included.
 */
export function headersFile(): string {
  const lines = Object.entries(SPA_HEADERS).map(([name, value]) => `  ${name}: ${value}`);
  return `/*\n${lines.join('\n')}\n`;
}
