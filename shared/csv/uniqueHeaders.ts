/**
 * Visible, distinct column names: trimmed; blank → "Column 3" (1-based position); a repeat → "Email (2)".
 * Names are compared case-insensitively, as header signatures and templates compare them, and a generated name
 * never takes a name another column really has.
 */
export function uniqueHeaders(raw: readonly string[]): string[] {
  const named = raw.map((h, i) => h.trim().replace(/\s+/g, ' ') || `Column ${i + 1}`);
  const taken = new Set(named.map((h) => h.toLowerCase()));
  const used = new Set<string>();
  return named.map((name) => {
    let candidate = name;
    for (let n = 2; used.has(candidate.toLowerCase()) || (candidate !== name && taken.has(candidate.toLowerCase())); n++) {
      candidate = `${name} (${n})`;
    }
    used.add(candidate.toLowerCase());
    return candidate;
  });
}
