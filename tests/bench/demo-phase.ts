// The bench's demo phase: `vigil demo --fresh` in a child process, timed from its start until its
// first sync of both sources is complete and the metrics answer (the README's "two commands" promise).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../server/lib/version.ts';
import { createAgent, timedGet } from './http.ts';

export interface DemoFigures {
  seconds: number | null;
  requests: number | null;
  note: string;
}

export async function measureDemo(): Promise<DemoFigures> {
  let figures: DemoFigures = { seconds: null, requests: null, note: 'not measured' };
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-demo-'));
  let child: ChildProcess | undefined;
  try {
    const t0 = performance.now();
    child = spawn(
      process.execPath,
      [join(PROJECT_ROOT, 'server/bin/vigil.mjs'), 'demo', '--fresh', '--dir', dir, '--port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child?.stdout?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const m = /serving (http:\/\/\S+)/.exec(text);
        if (m?.[1]) resolve(m[1]);
      });
      child?.once('exit', (code) => reject(new Error(`vigil demo exited with ${code}`)));
    });
    const agent = createAgent(1);
    for (;;) {
      const res = await fetch(`${url}/api/sync/status`).then((r) => r.json() as Promise<Record<string, unknown>>);
      const last = res.lastRuns as Record<string, { status: string; requests: number } | undefined>;
      const running = res.running as unknown[];
      if (running.length === 0 && last.github && last.pagerduty) {
        const seconds = Math.round((performance.now() - t0) / 100) / 10;
        // The dashboard's data is complete once the metrics answer from the refreshed tables.
        await timedGet(agent, `${url}/api/dora/summary`);
        figures = {
          seconds,
          requests: last.github.requests + last.pagerduty.requests,
          note: `first sync complete ${seconds} s after start (github ${last.github.status}, pagerduty ${last.pagerduty.status}, ${last.github.requests + last.pagerduty.requests} requests)`,
        };
        break;
      }
      if (performance.now() - t0 > 900_000) {
        figures = { seconds: null, requests: null, note: 'the first sync had not finished after 15 minutes' };
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    agent.destroy();
  } finally {
    child?.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 2_000));
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
