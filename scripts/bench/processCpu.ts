import { readdirSync, readFileSync } from 'node:fs';

// Linux reports utime/stime in clock ticks; USER_HZ is 100 on every Linux this runs on.
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) used so far by the live processes of a process group whose command name passes `named`. */
function groupCpuSeconds(groupId: number, named: (command: string) => boolean): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (in parentheses, which may hold spaces): state ppid pgrp … utime(14) stime(15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== groupId || !named(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')))) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by a process group — wrangler dev and its workerd. On a shared machine wall time swings
 * with the other work; a server's own CPU time per row does much less, so the bench reports both.
 */
export const processGroupCpuSeconds = (groupId: number): number => groupCpuSeconds(groupId, () => true);

/**
 * CPU seconds of a process group's workerd alone (the Worker, local D1 and workerd's own HTTP), without wrangler
 * dev's Node process (its proxy in front of workerd, which does not exist on Cloudflare).
 */
export const processGroupWorkerdCpuSeconds = (groupId: number): number => groupCpuSeconds(groupId, (command) => command.startsWith('workerd'));
