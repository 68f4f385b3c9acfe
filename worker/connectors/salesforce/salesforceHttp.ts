import { z } from 'zod';
import { PassThrough } from 'node:stream';
import type { StreamPromise } from 'jsforce';
import type { Connection, HttpRequest, HttpResponse } from 'jsforce/core';
import { jsonOrUndefined, textExcerpt } from '../vendorAnswer.ts';

type Transport = Connection['_transport'];

/** Salesforce answered with an error status: REST errors `[{ errorCode, message }]`, OAuth `{ error, error_description }`. */
export class SalesforceHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'SalesforceHttpError';
  }
}

/** No answer: the connection failed, dropped mid-response, or took longer than the timeout. */
export class SalesforceNetworkError extends Error {
  constructor(
    readonly timedOut: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'SalesforceNetworkError';
  }
}

/** Salesforce's error bodies: REST `[{ errorCode, message }]`, OAuth `{ error, error_description }`. */
const SalesforceErrorBody = z.union([
  z.object({ errorCode: z.string(), message: z.string().optional() }),
  z.object({ error: z.string(), error_description: z.string().optional() }),
]);

export function parseSalesforceError(status: number, body: string): SalesforceHttpError {
  const parsed = jsonOrUndefined(body);
  const first = SalesforceErrorBody.safeParse(Array.isArray(parsed) ? parsed[0] : parsed);
  if (first.success) {
    const e = first.data;
    if ('errorCode' in e) return new SalesforceHttpError(status, e.errorCode, e.message ?? e.errorCode);
    return new SalesforceHttpError(status, e.error, e.error_description ?? e.error);
  }
  return new SalesforceHttpError(status, `HTTP_${status}`, textExcerpt(body, 200) ?? `HTTP ${status}`);
}

async function send(req: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
  if (req.body !== undefined && typeof req.body !== 'string') throw new Error('only string request bodies are sent to Salesforce');
  const signal = AbortSignal.timeout(timeoutMs);
  let res: Response;
  let body: string;
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers: req.headers ?? {},
      ...(req.body === undefined ? {} : { body: req.body }),
      // A redirect would carry the bearer token to wherever it points; Salesforce's API does not redirect.
      redirect: 'manual',
      signal,
    });
    body = await res.text();
  } catch (e) {
    if (signal.aborted) throw new SalesforceNetworkError(true, `Salesforce did not answer within ${timeoutMs / 1000} s`);
    throw new SalesforceNetworkError(false, `the connection to Salesforce failed: ${(e as Error).message}`);
  }
  if (res.status >= 300) throw parseSalesforceError(res.status, body);
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  return { statusCode: res.status, headers, body };
}

/**
 * jsforce builds the requests (URLs, auth header, query paging, token parameters) and parses the answers; this
 * transport sends them. Unlike jsforce's browser transport it reads the whole body under one timeout (a dropped
 * response fails instead of hanging) and rejects error statuses with the HTTP status kept, which the retry and
 * refresh rules need.
 */
export function fetchTransport(base: Transport, timeoutMs: number): Transport {
  const transport = Object.create(base) as Transport;
  transport.httpRequest = (req: HttpRequest) => {
    const stream = new PassThrough();
    const promise = send(req, timeoutMs).finally(() => stream.end());
    // jsforce pipes the transport's stream for streaming responses we never ask for; an ended stream satisfies it.
    return Object.assign(promise, { stream: () => stream }) as StreamPromise<HttpResponse>;
  };
  return transport;
}
