/** What a sensitive cell shows: never the value, at most its last two characters (enough to tell rows apart). */
export const MASK = '••••';

export function maskValue(value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') return '';
  // Short values would be half revealed by two characters: show the mask alone.
  return trimmed.length > 4 ? MASK + trimmed.slice(-2) : MASK;
}
