/**
 * CPU time a child process has used (user + system, every thread), read from /proc on Linux. Under
 * a noisy neighbour rps swings, but CPU milliseconds per request stay comparable.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Milliseconds of CPU used so far by `pid`, or undefined where /proc is not available. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; fields after it are space-separated (utime is field 14).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return ((utime + stime) / clockTicks()) * 1000;
  } catch {
    return undefined;
  }
}

/**
 * The pids whose parent is `pid` (a cluster primary's workers), from /proc; empty where it is not
 * available. tsx's esbuild service (a child of a process run from source) is no server process: left out.
 */
export function childPids(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (command) state ppid …": the command name may contain spaces.
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid && command !== 'esbuild') children.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return children;
}

/** CPU milliseconds summed over `pids` (a primary and its workers); undefined if any is unreadable. */
export function processTreeCpuMs(pids: readonly number[]): number | undefined {
  let total = 0;
  for (const pid of pids) {
    const cpu = processCpuMs(pid);
    if (cpu === undefined) return undefined;
    total += cpu;
  }
  return total;
}
