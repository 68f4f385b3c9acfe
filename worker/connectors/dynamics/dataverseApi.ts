import { CrmError } from '../connector.ts';

export const WEB_API_PATH = '/api/data/v9.2/';

/** Where the connector gets its bearer token; implemented over the encrypted token store. */
export interface AccessTokenSource {
  /** A token believed valid (refreshed ahead of its expiry). */
  current(): Promise<string>;
  /** After a 401: a new token from the refresh token or the client credentials, or CrmError('crm_auth_failed'). */
  renew(): Promise<string>;
}

export type RetryOptions = {
  /** Retries after the first attempt, for 429, 5xx and network failures. */
  maxRetries: number;
  /** Backoff for 5xx and network failures: base × 2^attempt, capped. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited out inside one request: the caller hears crm_rate_limited instead. */
  maxRetryAfterMs: number;
  /** Per request; Dataverse itself gives up on an operation after two minutes. */
  timeoutMs: number;
};

export const DEFAULT_RETRY: RetryOptions = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 30_000, timeoutMs: 120_000 };

export type DataverseApiOptions = {
  environmentUrl: string;
  tokens: AccessTokenSource;
  retry?: Partial<RetryOptions>;
  /** How waits happen; configuration (a queue consumer may prefer to reschedule), also what lets tests run without real delays. */
  sleep?: (ms: number) => Promise<void>;
};

type DataverseErrorBody = { error?: { code?: string; message?: string } };

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retry-After is whole seconds on Dataverse; an HTTP date is accepted too. */
export function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

async function vendorError(response: Response): Promise<{ code: string | null; message: string | null }> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as DataverseErrorBody;
    return { code: body.error?.code ?? null, message: body.error?.message ?? null };
  } catch {
    return { code: null, message: text.slice(0, 500) || null };
  }
}

/**
 * GETs against one environment's Web API with the policies Dataverse asks clients to follow: 429 waits the
 * Retry-After it names, 5xx and network failures back off exponentially (bounded), a 401 renews the token once.
 */
export class DataverseApi {
  readonly origin: string;
  private readonly retry: RetryOptions;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: DataverseApiOptions) {
    this.origin = new URL(options.environmentUrl).origin;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.sleep = options.sleep ?? sleepFor;
  }

  /** Absolute Web API URL for a path relative to /api/data/v9.2/. */
  url(path: string): string {
    return `${this.origin}${WEB_API_PATH}${path}`;
  }

  /**
   * True when `url` is a Web API URL of this environment; nextLinks come back from the browser as cursors and must
   * never send our bearer token anywhere else.
   */
  owns(url: string): boolean {
    try {
      const parsed = new URL(url);
      return parsed.origin === this.origin && parsed.pathname.startsWith(WEB_API_PATH) && !parsed.username && !parsed.password;
    } catch {
      return false;
    }
  }

  async get<T>(url: string, prefer: readonly string[] = []): Promise<T> {
    if (!this.owns(url)) throw new CrmError('crm_error', 'That Dataverse link does not belong to this environment', null, null, 400);
    let token = await this.options.tokens.current();
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      let okBody: string | null = null;
      try {
        response = await fetch(url, {
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: 'application/json',
            'OData-MaxVersion': '4.0',
            'OData-Version': '4.0',
            ...(prefer.length ? { Prefer: prefer.join(',') } : {}),
          },
          // A redirect would carry the bearer token wherever it points; the Web API does not redirect.
          redirect: 'manual',
          signal: AbortSignal.timeout(this.retry.timeoutMs),
        });
        // Read inside the retry: a connection dropped mid-body is a network failure like any other.
        if (response.ok) okBody = await response.text();
      } catch (error) {
        if (attempt < this.retry.maxRetries) {
          await this.sleep(this.backoff(attempt));
          continue;
        }
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        throw new CrmError('crm_unavailable', timedOut ? 'Dynamics 365 did not answer in time' : 'Dynamics 365 could not be reached', null, String(error), 0);
      }
      if (okBody !== null) return JSON.parse(okBody) as T;

      if (response.status === 401 && !renewed) {
        await response.body?.cancel();
        renewed = true;
        token = await this.options.tokens.renew();
        attempt--; // a renewal is not a retry of a failing service
        continue;
      }
      if (response.status === 429) {
        const wait = retryAfterMs(response.headers.get('Retry-After')) ?? this.backoff(attempt);
        const vendor = await vendorError(response);
        if (attempt < this.retry.maxRetries && wait <= this.retry.maxRetryAfterMs) {
          await this.sleep(wait);
          continue;
        }
        throw new CrmError(
          'crm_rate_limited',
          `Dynamics 365 is limiting requests; try again in ${Math.ceil(wait / 1000)} s`,
          vendor.code,
          vendor.message,
          429,
        );
      }
      if (response.status >= 500) {
        const vendor = await vendorError(response);
        if (attempt < this.retry.maxRetries) {
          await this.sleep(this.backoff(attempt));
          continue;
        }
        throw new CrmError('crm_unavailable', 'Dynamics 365 is unavailable right now', vendor.code, vendor.message, response.status);
      }
      const vendor = await vendorError(response);
      if (response.status === 401) {
        throw new CrmError('crm_auth_failed', 'Dynamics 365 refused our sign-in; reconnect the environment', vendor.code, vendor.message, 401);
      }
      throw new CrmError('crm_error', vendor.message ? `Dynamics 365: ${vendor.message}` : `Dynamics 365 answered ${response.status}`, vendor.code, vendor.message, response.status);
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
  }
}
