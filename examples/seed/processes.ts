/**
 * What a stop must leave behind, read from /proc (Linux): the processes descending from a pid
 * (detached pods included: they are still the server's children) and the TCP ports they listen on.
 * @module
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const readOr = (file: string, fallback: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback; // the process ended while we looked
  }
};

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    // The parent pid is the 2nd field after "(comm)"; comm may hold spaces and parentheses.
    const stat = readOr(`/proc/${entry}/stat`, '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!ppid) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const visit = (pid: number) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
  return tree;
}

/** The pids of `pids` that still exist (not zombies). */
export function alive(pids: number[]): number[] {
  return pids.filter((pid) => !/^\S+ \(.*\) Z /s.test(readOr(`/proc/${pid}/stat`, 'x (x) Z ')));
}

/** Inodes of the TCP sockets in LISTEN state (IPv4 and IPv6), with their ports. */
function listeningSockets(): Map<string, number> {
  const sockets = new Map<string, number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readOr(table, '').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; st 0A is LISTEN; the inode is the 10th field.
      if (fields[3] !== '0A') continue;
      sockets.set(fields[9] as string, Number.parseInt((fields[1] as string).split(':')[1] as string, 16));
    }
  }
  return sockets;
}

/** The TCP ports the processes `pids` listen on. */
export function listeningPorts(pids: number[]): number[] {
  const sockets = listeningSockets();
  const ports = new Set<number>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {}
    for (const fd of fds) {
      let target = '';
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {}
      const port = sockets.get(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? '');
      if (port !== undefined) ports.add(port);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** Which of `ports` something on this machine still listens on. */
export function stillListening(ports: number[]): number[] {
  const open = new Set(listeningSockets().values());
  return ports.filter((port) => open.has(port));
}
