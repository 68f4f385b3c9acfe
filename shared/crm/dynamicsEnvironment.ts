/**
 * Domains Dataverse environments live on: commercial (`org.crm.dynamics.com`, `org.crm4.dynamics.com`…), US
 * government (GCC High / DoD), China and the sovereign clouds. The Worker sends bearer tokens for this host, so
 * anything else is refused unless the deployment lists its own origin (on-premises IFD) in configuration.
 */
export const DATAVERSE_DOMAINS = ['dynamics.com', 'dynamics.cn', 'microsoftdynamics.us', 'appsplatform.us', 'microsoftdynamics.de'];

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function parse(input: string): URL | null {
  const trimmed = input.trim();
  if (!trimmed || trimmed.length > 300) return null;
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    return null;
  }
}

/**
 * The origin of a Dataverse environment URL as users paste it (bare host, trailing slash, `/main.aspx…`), or
 * null when it is not one. `allowedOrigins` are exact extra origins a deployment trusts.
 */
export function dynamicsEnvironmentOrigin(input: string, allowedOrigins: readonly string[] = []): string | null {
  const url = parse(input);
  if (!url || url.username || url.password) return null;
  if (allowedOrigins.includes(url.origin)) return url.origin;
  if (url.protocol !== 'https:' || url.port) return null;
  const host = url.hostname.toLowerCase();
  const labels = host.split('.');
  if (labels.length < 3 || !labels.every((l) => LABEL.test(l))) return null;
  return DATAVERSE_DOMAINS.some((d) => host.endsWith(`.${d}`)) ? `https://${host}` : null;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/**
 * A Microsoft Entra tenant as the authority path takes it: its id (GUID) or a verified domain
 * (`contoso.onmicrosoft.com`); `organizations` lets any work account sign in (delegated flow only).
 */
export function isTenant(value: string, { allowOrganizations }: { allowOrganizations: boolean }): boolean {
  if (value === 'organizations') return allowOrganizations;
  return GUID.test(value) || DOMAIN.test(value);
}
