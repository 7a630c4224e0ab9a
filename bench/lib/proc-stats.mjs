// CPU seconds and RSS of a process and its descendants, read from /proc
// (Python's prefork pool is a parent with children: they all count).
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces: fields start after its ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]), // utime + stime
    };
  } catch {
    return null;
  }
}

function rssKb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The pid and every live descendant. */
export function processTree(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(entry));
    children.set(stat.ppid, list);
  }
  const tree = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop();
    tree.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** CPU seconds (user + system) used so far by the tree. */
export function cpuSeconds(root) {
  let ticks = 0;
  for (const pid of processTree(root)) {
    ticks += readStat(pid)?.ticks ?? 0;
  }
  return ticks / CLOCK_TICKS;
}

/** Resident memory of the tree now, in MB. */
export function rssMb(root) {
  let kb = 0;
  for (const pid of processTree(root)) {
    kb += rssKb(pid);
  }
  return kb / 1024;
}

/** Samples the tree's RSS every `intervalMs` until stopped; returns the peak. */
export function sampleRss(root, intervalMs = 100) {
  let peak = rssMb(root);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(root));
  }, intervalMs);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssMb(root));
  };
}

/** SIGSTOPs the tree (parent first, so it forks no new child); returns its pids. */
export function stopTree(root) {
  const pids = processTree(root);
  for (const pid of pids) {
    signal(pid, 'SIGSTOP');
  }
  return pids;
}

/** SIGCONTs what {@link stopTree} stopped. */
export function continueTree(pids) {
  for (const pid of pids) {
    signal(pid, 'SIGCONT');
  }
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // It exited meanwhile.
  }
}
