import type { z } from 'zod';

/**
 * Reads a stored value back through the schema it was written with. The code relies on these shapes (a plan's
 * column types, a template's mapping, a field's type), so a row that no longer fits is a failure to report, not a
 * value to guess at: it surfaces as a 500 `internal` with the column named in the log.
 */
export function parseStored<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`${where} does not have the stored shape: ${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}`);
  }
  return parsed.data;
}

/** parseStored for a JSON column. */
export function parseStoredJson<S extends z.ZodType>(schema: S, text: string, where: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where} holds text that is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseStored(schema, value, where);
}
