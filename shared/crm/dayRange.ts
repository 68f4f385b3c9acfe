/**
 * A calendar day as people mean it: from their midnight to their next midnight, in their time zone. A filter
 * "Created Date is on 2024-01-02" is that range of instants, not the one instant 2024-01-02T00:00:00Z.
 */

/** True for an IANA zone name this runtime knows ("Europe/Berlin", "UTC"). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in ms (DST included). */
function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(instant / 1000) * 1000;
}

/** The instant the day `date` (YYYY-MM-DD) starts in `timeZone`. */
export function startOfDay(date: string, timeZone: string): Date {
  const wall = Date.parse(`${date}T00:00:00Z`);
  // Twice: the offset at the first guess may be the other side of a DST change.
  const guess = wall - offsetAt(wall, timeZone);
  return new Date(wall - offsetAt(guess, timeZone));
}

function nextDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** `[start, end)` of the day in `timeZone`, as ISO instants without milliseconds (the form SOQL and OData accept). */
export function dayRange(date: string, timeZone: string): { start: string; end: string } {
  const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
  return { start: iso(startOfDay(date, timeZone)), end: iso(startOfDay(nextDate(date), timeZone)) };
}
