/**
 * Salesforce domains an org's login can live on: My Domain (`acme.my.salesforce.com`, sandboxes
 * `acme--dev.sandbox.my.salesforce.com`), the classic hosts, Government Cloud and the China-hosted service.
 * Anything else is refused: the Worker sends the consumer secret and the user's refresh token to this host.
 */
const SALESFORCE_DOMAINS = [
  'salesforce.com',
  'force.com',
  'cloudforce.com',
  'database.com',
  'salesforce.mil',
  'force.mil',
  'sfcrmproducts.cn',
];

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The origin (`https://host`) of a custom Salesforce login URL, or null when it is not one we may send credentials
 * to. Accepts what users paste: a bare host, a URL with a trailing slash or path, any letter case.
 */
export function salesforceLoginOrigin(input: string): string | null {
  const trimmed = input.trim();
  if (!trimmed || trimmed.length > 300) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username || url.password || url.port) return null;
  const host = url.hostname.toLowerCase();
  const labels = host.split('.');
  if (labels.length < 3 || !labels.every((l) => LABEL.test(l))) return null;
  const domain = SALESFORCE_DOMAINS.find((d) => host.endsWith(`.${d}`));
  if (!domain) return null;
  return `https://${host}`;
}

/** Where each named environment logs in; a My Domain URL is used as given. */
export const SALESFORCE_LOGIN_URLS = {
  production: 'https://login.salesforce.com',
  sandbox: 'https://test.salesforce.com',
} as const;
