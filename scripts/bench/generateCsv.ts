import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { seededRandom } from '../../test/support/seededRandom.ts';


const FIRST = ['Anna', 'José', 'Zoë', 'Liam', 'Chloé', 'Mohammed', 'Sofia', 'Lukas', 'Emma', 'Noah', 'Mia', 'Jürgen'];
const LAST = ['Müller', 'García', 'Smith', "O'Brien", 'Dubois', 'Rossi', 'Nguyen', 'Kowalski', 'Silva', 'Jensen'];
const COMPANY = ['Acme, Inc.', 'Globex', 'Initech', 'Umbrella Corp', 'Stark Industries', 'Wayne "WE" Enterprises', 'Hooli'];
const TITLE = ['Marketing Manager', 'CEO', 'Head of Growth', 'Sales Rep', 'CTO', 'Analyst'];
const CITY = ['Paris', 'Berlin', 'New York', 'Madrid', 'São Paulo', 'Tokyo', 'Lyon'];
const COUNTRY = ['FR', 'DE', 'US', 'ES', 'BR', 'JP'];

export const BENCH_HEADERS = ['Customer ID', 'Email', 'Mobile Phone', 'First Name', 'Last Name', 'Company', 'Job Title', 'City', 'Country', 'Notes'];

function quote(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** 1,000,000 × 10 columns (~125 MB), some quoted fields with commas, quotes and newlines. */
export async function generateCsv(path: string, rows: number): Promise<{ path: string; bytes: number }> {
  if (existsSync(path)) return { path, bytes: statSync(path).size };
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const r = seededRandom(42);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  let buf = `${BENCH_HEADERS.join(',')}\n`;
  for (let i = 1; i <= rows; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const email = `${first}.${last}${i}@example${i % 97}.com`.toLowerCase().replace(/[^a-z0-9.@]/g, 'x');
    const mobile = `+1415${String(2000000 + (i % 7999999)).padStart(7, '0')}`;
    const notes =
      i % 10 === 0 ? `Met at "Expo", booth ${i % 300}\nfollow up, maybe` : i % 7 === 0 ? `VIP, since ${2000 + (i % 25)}` : 'Newsletter subscriber since spring, prefers email';
    const row = [`C${String(i).padStart(8, '0')}`, email, mobile, first, last, pick(COMPANY), pick(TITLE), pick(CITY), pick(COUNTRY), notes];
    buf += `${row.map(quote).join(',')}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((res) => out.once('drain', () => res()));
      buf = '';
    }
  }
  out.end(buf);
  await new Promise<void>((res) => out.on('finish', () => res()));
  return { path, bytes: statSync(path).size };
}
