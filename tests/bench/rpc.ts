// Request/response over a forked child's IPC channel: the benchmark drives the stand-ins and the
// Vigil under test in their own processes (so each one's CPU and memory are its own) and asks them
// to do things by name. A child that exits while a call is pending fails that call with its exit
// code instead of hanging the run.
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

interface Request {
  rpc: number;
  method: string;
  args: unknown;
}

type Reply = { rpc: number; ok: true; value: unknown } | { rpc: number; ok: false; error: string };

export interface Child {
  readonly process: ChildProcess;
  call<T>(method: string, args?: unknown): Promise<T>;
  /** Ask the child to stop and wait for it (killed after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

export interface ForkOptions {
  /** Extra Node flags (e.g. --max-old-space-size=1024 for the large organisation). */
  nodeFlags?: string[];
  env?: NodeJS.ProcessEnv;
  /** Show the child's stderr (its logs) on ours. */
  stderr?: boolean;
}

/** Fork a TypeScript module that calls serveRpc(), and wait until it says it is ready. */
export async function forkChild(modulePath: string, args: string[], options: ForkOptions = {}): Promise<Child> {
  const child = fork(modulePath, args, {
    execArgv: ['--import', 'tsx', ...(options.nodeFlags ?? [])],
    stdio: ['ignore', 'inherit', options.stderr === false ? 'ignore' : 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
    serialization: 'advanced',
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  let next = 1;
  let exited: string | null = null;
  child.on('message', (message: Reply | { ready: true }) => {
    if ('ready' in message) return;
    const waiter = pending.get(message.rpc);
    if (!waiter) return;
    pending.delete(message.rpc);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new Error(`${waiter.method} in ${modulePath}: ${message.error}`));
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean }) => {
      if (m && m.ready === true) resolve();
    });
    child.once('exit', (code, signal) => reject(new Error(`${modulePath} exited before it was ready (${code ?? signal})`)));
  });
  child.on('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
    for (const [id, waiter] of pending) {
      pending.delete(id);
      waiter.reject(new Error(`${waiter.method}: ${modulePath} ${exited}`));
    }
  });
  await ready;
  return {
    process: child,
    call<T>(method: string, callArgs?: unknown): Promise<T> {
      if (exited) return Promise.reject(new Error(`${method}: ${modulePath} ${exited}`));
      const rpc = next++;
      return new Promise<T>((resolve, reject) => {
        pending.set(rpc, { resolve: resolve as (v: unknown) => void, reject, method });
        child.send({ rpc, method, args: callArgs } satisfies Request);
      });
    },
    async stop(graceMs = 30_000) {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ rpc: 0, method: '__stop', args: null } satisfies Request);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}

export type Handlers = Record<string, (args: never) => unknown>;

/** In the child: answer calls with `handlers`; `__stop` runs `onStop` and exits. */
export function serveRpc(handlers: Handlers, onStop: () => Promise<void> | void = () => {}): void {
  const send = (message: unknown) => process.send?.(message);
  process.on('message', async (message: Request) => {
    if (message.method === '__stop') {
      try {
        await onStop();
      } finally {
        process.exit(0);
      }
    }
    const handler = handlers[message.method];
    try {
      if (!handler) throw new Error(`no such method "${message.method}"`);
      const value = await (handler as (args: unknown) => unknown)(message.args);
      send({ rpc: message.rpc, ok: true, value } satisfies Reply);
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      send({ rpc: message.rpc, ok: false, error: text } satisfies Reply);
    }
  });
  // The parent going away (Ctrl-C, a crash) takes the child with it.
  process.on('disconnect', () => process.exit(0));
  send({ ready: true });
}

/** Peak and current resident memory of this process, from /proc (Linux), in bytes. */
export function memory(): { rss: number; peakRss: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
  } catch {
    const rss = process.memoryUsage().rss;
    return { rss, peakRss: rss };
  }
}

/** Reset this process's peak-RSS mark (Linux: writing 5 to clear_refs), so a phase measures its own peak. */
export function resetPeakMemory(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
