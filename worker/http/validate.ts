import type { Context, MiddlewareHandler } from 'hono';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { malformedTextIssues } from '../../shared/schema/text.ts';
import { DomainError, invalid, issueDetails, validationFailed } from '../domainError.ts';
import type { AppEnv } from './appEnv.ts';

const CONSENT_MESSAGE = 'double opt-in must be confirmed for the entire list before importing';

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix: string[]): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(result.error.issues, prefix);
  return result.data;
}

// hono's json validator reads a body without a JSON content type as {}, which would surface as a list of
// missing fields instead of the actual mistake.
function requireJson(c: Context): void {
  if (!/^application\/([\w.-]+\+)?json\b/i.test(c.req.header('content-type') ?? '')) {
    throw new DomainError('validation_failed', 'send a JSON body with content-type: application/json', [
      { path: [], message: 'expected a JSON body' },
    ]);
  }
}

// Before the schema, over the whole body: a string that is not valid Unicode (a lone surrogate from a "\ud800"
// escape) is refused wherever it is, even in a field whose schema forgot WellFormedText; D1 would store it altered.
function requireWellFormedText(value: unknown): void {
  const issues = malformedTextIssues(value);
  if (issues.length) throw invalid(issues);
}

/**
 * What a route declares to the typed client (hc<AppType>): callers send the schema's input (defaults may be left
 * out), handlers read its output. hono would otherwise derive both from the output, making every defaulted field
 * required for the SPA.
 */
type Declared<Target extends 'json' | 'query' | 'param', S extends z.ZodType> = {
  in: { [K in Target]: z.input<S> };
  out: { [K in Target]: z.output<S> };
};
type Validated<Target extends 'json' | 'query' | 'param', S extends z.ZodType> = MiddlewareHandler<AppEnv, string, Declared<Target, S>>;

function validated<Target extends 'json' | 'query' | 'param', S extends z.ZodType>(
  target: Target,
  _schema: S,
  parse: (value: unknown, c: Context) => z.output<S>,
): Validated<Target, S> {
  // Only the declared types change: hono's conditional types cannot be instantiated with a generic schema.
  return validator(target, parse) as unknown as Validated<Target, S>;
}

/**
 * Validates the JSON body; a failure is a 400 `validation_failed` whose details name each field (path + message).
 * `plainlyValid`: a cheaper check for a hot body (a batch) that answers true only when the schema would take the
 * value as it is and no string in it is malformed (shared/schema/batchBodyCheck.ts); anything else goes through
 * the schema, so what is refused, and how, stays the schema's.
 */
export const jsonBody = <S extends z.ZodType>(schema: S, plainlyValid?: (value: unknown) => value is z.output<S>): Validated<'json', S> =>
  validated('json', schema, (value, c) => {
    requireJson(c);
    if (plainlyValid?.(value)) return value;
    requireWellFormedText(value);
    return parseOrThrow(schema, value, []);
  });

export const queryOf = <S extends z.ZodType>(schema: S): Validated<'query', S> =>
  validated('query', schema, (value) => parseOrThrow(schema, value, ['query']));

export const paramsOf = <S extends z.ZodType>(schema: S): Validated<'param', S> =>
  validated('param', schema, (value) => parseOrThrow(schema, value, ['params']));

/**
 * Like jsonBody, but a missing or false double opt-in confirmation is a 422 `consent_required` whatever else is
 * wrong: consent is the legal gate of an import, so it is what the client must hear about first.
 */
export const jsonBodyWithConsent = <S extends z.ZodType>(schema: S): Validated<'json', S> =>
  validated('json', schema, (value, c) => {
    requireJson(c);
    requireWellFormedText(value);
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const consentIssues = result.error.issues.filter((i) => i.path[0] === 'consent');
    if (consentIssues.length) throw new DomainError('consent_required', CONSENT_MESSAGE, issueDetails(consentIssues));
    throw validationFailed(result.error.issues);
  });
