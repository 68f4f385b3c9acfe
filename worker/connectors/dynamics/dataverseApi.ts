import { z } from 'zod';
import { isRetryableStatus, parseRetryAfter, withRetry, type RetryPolicy, type RetryVerdict, type Sleep } from '../../../shared/retry/retryPolicy.ts';
import { CrmError, SelectionError } from '../connector.ts';
import type { AccessTokenSource } from '../tokenSource.ts';
import { jsonOrUndefined, textExcerpt } from '../vendorAnswer.ts';

export const WEB_API_PATH = '/api/data/v9.2/';

/** Dataverse asks clients to honour Retry-After (service protection) and back off on 5xx; a request does not wait out more than 30 s. */
export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };
/** Per request; Dataverse itself gives up on an operation after two minutes. */
const DEFAULT_TIMEOUT_MS = 120_000;

export type DataverseApiOptions = {
  environmentUrl: string;
  tokens: AccessTokenSource;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** How waits happen and how they are jittered (shared/retry); configuration, also what lets tests run without real delays. */
  sleep?: Sleep;
  random?: () => number;
};

/** One request to the Web API: method, optional body and headers, and OData preferences. */
type ApiRequest = { method: 'GET' | 'POST'; body?: string; headers?: Record<string, string>; prefer?: readonly string[] };

/** The Web API's error body (OData JSON format). */
const DataverseErrorBody = z.object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }) });

async function vendorError(response: Response): Promise<{ code: string | null; message: string | null }> {
  const text = await response.text().catch(() => '');
  const parsed = DataverseErrorBody.safeParse(jsonOrUndefined(text));
  if (parsed.success) return { code: parsed.data.error.code ?? null, message: parsed.data.error.message ?? null };
  return { code: null, message: textExcerpt(text, 500) };
}

const retryVerdict = (error: unknown): RetryVerdict =>
  error instanceof CrmError && (error.code === 'crm_unavailable' || error.code === 'crm_rate_limited') && isRetryableStatus(error.status)
    ? { retryable: true, retryAfterSeconds: error.retryAfterSeconds ?? undefined }
    : { retryable: false };

/**
 * GETs against one environment's Web API with the policies Dataverse asks clients to follow (shared/retry): 429
 * waits the Retry-After it names, 5xx and network failures back off, a 401 renews the token once. Answers are
 * parsed with the caller's zod schema: a shape the code relies on is checked, never cast.
 */
export class DataverseApi {
  readonly origin: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(private readonly options: DataverseApiOptions) {
    this.origin = new URL(options.environmentUrl).origin;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
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

  async get<S extends z.ZodType>(url: string, schema: S, prefer: readonly string[] = []): Promise<z.infer<S>> {
    const { text } = await this.exchange(url, { method: 'GET', prefer });
    const parsed = schema.safeParse(jsonOrUndefined(text));
    if (!parsed.success) throw new CrmError('crm_unavailable', 'Dynamics 365 answered in a form we do not understand', null, parsed.error.message.slice(0, 500), 502);
    return parsed.data;
  }

  /**
   * A POST (a $batch of writes) under the same policies as `get`; the answer's text and content type, for the caller
   * to read (a multipart batch answer is no JSON).
   */
  async post(
    url: string,
    body: string,
    headers: Record<string, string>,
    prefer: readonly string[] = [],
    options: { resendUnanswered?: boolean } = {},
  ): Promise<{ text: string; contentType: string }> {
    return this.exchange(url, { method: 'POST', body, headers, prefer }, options.resendUnanswered ?? true);
  }

  /** `resendUnanswered` false: a 5xx or a lost answer is thrown at once (the request may have been applied); 429 still waits and retries. */
  private async exchange(url: string, init: ApiRequest, resendUnanswered = true): Promise<{ text: string; contentType: string }> {
    if (!this.owns(url)) throw new SelectionError('That Dataverse link does not belong to this environment');
    let token: string | null = null;
    let renewed = false;
    const once = async (): Promise<{ text: string; contentType: string }> => {
      token ??= await this.options.tokens.current();
      let answer = await this.send(url, token, init);
      if (answer.response.status === 401 && !renewed) {
        await answer.response.body?.cancel();
        renewed = true;
        token = await this.options.tokens.renew(token);
        answer = await this.send(url, token, init);
      }
      if (answer.body !== null) return { text: answer.body, contentType: answer.response.headers.get('Content-Type') ?? '' };
      throw await this.failure(answer.response);
    };
    const verdict = resendUnanswered ? retryVerdict : (e: unknown): RetryVerdict => (e instanceof CrmError && e.code === 'crm_rate_limited' ? retryVerdict(e) : { retryable: false });
    return withRetry(once, { policy: this.retry, verdict, sleep: this.options.sleep, random: this.options.random });
  }

  /** One request; the body is read inside it, so a connection dropped mid-body is a network failure like any other. */
  private async send(url: string, token: string, init: ApiRequest): Promise<{ response: Response; body: string | null }> {
    const { prefer = [] } = init;
    try {
      const response = await fetch(url, {
        method: init.method,
        ...(init.body === undefined ? {} : { body: init.body }),
        headers: {
          ...init.headers,
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          'OData-MaxVersion': '4.0',
          'OData-Version': '4.0',
          ...(prefer.length ? { Prefer: prefer.join(',') } : {}),
        },
        // A redirect would carry the bearer token wherever it points; the Web API does not redirect.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // Decoded from bytes: workerd warns that .text() may corrupt a multipart ($batch) answer, which is UTF-8 text too.
      return { response, body: response.ok ? new TextDecoder().decode(await response.arrayBuffer()) : null };
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new CrmError('crm_unavailable', timedOut ? 'Dynamics 365 did not answer in time' : 'Dynamics 365 could not be reached', null, String(error), 0);
    }
  }

  private async failure(response: Response): Promise<CrmError> {
    const vendor = await vendorError(response);
    const { status } = response;
    if (status === 429) {
      const retryAfterSeconds = parseRetryAfter(response.headers.get('Retry-After'));
      const when = retryAfterSeconds === undefined ? 'in a moment' : `in ${Math.ceil(retryAfterSeconds)} s`;
      return new CrmError('crm_rate_limited', `Dynamics 365 is limiting requests; try again ${when}`, vendor.code, vendor.message, 429, retryAfterSeconds ?? null);
    }
    if (status >= 500) return new CrmError('crm_unavailable', 'Dynamics 365 is unavailable right now', vendor.code, vendor.message, status);
    if (status === 401) return new CrmError('crm_auth_failed', 'Dynamics 365 refused our sign-in; reconnect the environment', vendor.code, vendor.message, 401);
    // The vendor's own words; the SPA says whose refusal it is (see crmErrorResponse.ts).
    return new CrmError('crm_error', vendor.message ?? `Dynamics 365 answered ${status}`, vendor.code, vendor.message, status);
  }
}
