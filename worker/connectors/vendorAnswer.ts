/**
 * Reading a CRM's (or its identity provider's) answer before its zod schema does: the same rules for every CRM, so
 * an outage page from a gateway reads the same whichever vendor stands behind it.
 */

/** The body as JSON, or undefined when it is none (a gateway's HTML page, a cut-off body). */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Gateways in front of a CRM answer outages with HTML: a short, tag-free excerpt of it, or null when nothing is left. */
export function textExcerpt(body: string, maxChars: number): string | null {
  return (
    body
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, maxChars) || null
  );
}
