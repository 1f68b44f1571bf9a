/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) over a time window: where the main
 * thread's time went, by function (self time), and how much of it was spent committing to the
 * database. The sampler runs on wall time, so a thread blocked in a synchronous call (better-sqlite3's
 * COMMIT waiting on fsync) is sampled in that call: that is how the commit wait is measured.
 * Sample times are CLOCK_MONOTONIC microseconds on Linux, the clock of `process.hrtime`, so a
 * window taken in the bench process selects the samples of the same interval in every service.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A window of monotonic time, in microseconds (`process.hrtime.bigint() / 1000n`). */
export interface Window {
  fromUs: number;
  toUs: number;
}

export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Frames that begin or commit a transaction. better-sqlite3's native calls show as self time of
 * the JS frame that calls them: `db.exec` of its `wrappers.js` called from one of ours, or its
 * `sqliteTransaction` wrapper (BEGIN and COMMIT around the work, which runs in child frames).
 */
const COMMIT_FRAMES = new Set(['commitTransaction', 'beginImmediate', 'sqliteTransaction']);

function isCommit(node: ProfileNode, parent: ProfileNode | undefined): boolean {
  const frame = node.callFrame;
  if (COMMIT_FRAMES.has(frame.functionName)) return true;
  return (
    frame.functionName === 'exec' &&
    frame.url.includes('better-sqlite3') &&
    parent !== undefined &&
    COMMIT_FRAMES.has(parent.callFrame.functionName)
  );
}

export interface WindowSummary {
  /** Main-thread milliseconds sampled in the window (busy or idle). */
  sampledMs: number;
  /** Not idle: running JS, native code, GC, or blocked in a synchronous call. */
  busyMs: number;
  /** In BEGIN/COMMIT of the database (the commit's fsync included). */
  commitMs: number;
  gcMs: number;
  /** Self time by function, largest first. */
  top: { name: string; ms: number }[];
}

const IDLE = new Set(['(idle)', '(program)']);

function frameName(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (frame.url === '') return name;
  const file = frame.url.replace(/^file:\/\//, '');
  const short = file.includes('node_modules/')
    ? file.slice(file.lastIndexOf('node_modules/') + 'node_modules/'.length)
    : file.replace(/^.*?\/(shared|services|tests)\//, '$1/');
  return `${name} ${short}:${frame.lineNumber + 1}`;
}

export function summarizeWindow(file: string, window: Window, topCount = 15): WindowSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const self = new Map<string, number>();
  let sampledUs = 0;
  let idleUs = 0;
  let commitUs = 0;
  let gcUs = 0;
  let time = profile.startTime;
  profile.samples.forEach((id, i) => {
    time += profile.timeDeltas[i] ?? 0;
    // A sample stands for the interval until the next one.
    const weight = profile.timeDeltas[i + 1] ?? 0;
    if (time < window.fromUs || time > window.toUs) return;
    const node = byId.get(id);
    if (!node) return;
    sampledUs += weight;
    const name = node.callFrame.functionName;
    if (IDLE.has(name)) {
      idleUs += weight;
      return;
    }
    if (name === '(garbage collector)') gcUs += weight;
    if (isCommit(node, byId.get(parentOf.get(id) ?? -1))) commitUs += weight;
    const key = frameName(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + weight);
  });
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topCount)
    .map(([name, us]) => ({ name, ms: us / 1000 }));
  return {
    sampledMs: sampledUs / 1000,
    busyMs: (sampledUs - idleUs) / 1000,
    commitMs: commitUs / 1000,
    gcMs: gcUs / 1000,
    top,
  };
}
