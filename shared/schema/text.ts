import { z } from 'zod';

// A high surrogate not followed by a low one, or a low one not preceded by a high one: JavaScript strings may hold
// them (JSON's "\ud800" escape makes one), UTF-8 cannot, so D1 and every other system would store something else.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const MALFORMED_TEXT_MESSAGE = 'contains a broken character (a lone UTF-16 surrogate); this is not valid Unicode text';

// ES2024's String.prototype.isWellFormed (workerd, Chromium, Node 20) says the same several times faster than the
// regular expression, which stays for runtimes without it; the ES2022 lib this project compiles with does not type it.
const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/** True when `text` is valid Unicode: no lone surrogate, so it survives UTF-8 unchanged. */
export function isWellFormedText(text: string): boolean {
  return nativeIsWellFormed ? nativeIsWellFormed.call(text) : !LONE_SURROGATE.test(text);
}

/** A string that must be valid Unicode text: use it for every string a client sends. */
export const WellFormedText = z.string().refine(isWellFormedText, { message: MALFORMED_TEXT_MESSAGE });

export type TextIssue = { path: (string | number)[]; message: string };

/**
 * Every string in a parsed JSON value (object keys included) that is not valid Unicode, with its path. Run on a
 * whole body before its schema, so a field a schema forgot to refine cannot let one through either.
 */
export function malformedTextIssues(value: unknown, path: (string | number)[] = [], issues: TextIssue[] = []): TextIssue[] {
  if (typeof value === 'string') {
    if (!isWellFormedText(value)) issues.push({ path, message: MALFORMED_TEXT_MESSAGE });
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) malformedTextIssues(value[i], [...path, i], issues);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!isWellFormedText(key)) issues.push({ path: [...path, key], message: `the name of this field ${MALFORMED_TEXT_MESSAGE}` });
      malformedTextIssues(item, [...path, key], issues);
    }
  }
  return issues;
}
