// CSV export of the largest record table over the whole history, over HTTP as a user downloads
// it: rows per second, and the Vigil process's memory while it streams (sampled every 100 ms), to
// show the export runs at constant memory rather than holding the table.
import { get } from 'node:http';
import { round1 } from './http.ts';
import type { Child } from './rpc.ts';

export interface CsvFigures {
  path: string;
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  /** Vigil's resident memory before, and the most it grew while streaming. */
  rssBefore: number;
  rssGrowth: number;
  /** The same growth for a tenth of the rows: similar growth means memory does not follow size. */
  rssGrowthTenth: number | null;
}

function download(url: string): Promise<{ rows: number; bytes: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`${url}: HTTP ${res.statusCode}`));
        res.resume();
        return;
      }
      let rows = 0;
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
      });
      res.on('end', () => resolve({ rows: Math.max(0, rows - 1), bytes, ms: performance.now() - started }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function sampled<T>(vigil: Child, fn: () => Promise<T>): Promise<{ result: T; before: number; peak: number }> {
  const before = (await vigil.call<{ rss: number }>('memory')).rss;
  let peak = before;
  let stop = false;
  const sampler = (async () => {
    while (!stop) {
      peak = Math.max(peak, (await vigil.call<{ rss: number }>('memory')).rss);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    return { result: await fn(), before, peak };
  } finally {
    stop = true;
    await sampler;
  }
}

export async function measureCsv(
  vigil: Child,
  baseUrl: string,
  kind: string,
  from: string,
  to: string,
  extra = '',
): Promise<CsvFigures> {
  const path = `/api/${kind}.csv?from=${from}&to=${to}${extra}`;
  // A tenth of the range first (also warms DuckDB's caches for both runs alike).
  const tenthFrom = new Date(Date.parse(to) - (Date.parse(to) - Date.parse(from)) / 10).toISOString().slice(0, 10);
  const tenth = await sampled(vigil, () => download(`${baseUrl}/api/${kind}.csv?from=${tenthFrom}&to=${to}${extra}`));
  const full = await sampled(vigil, () => download(`${baseUrl}${path}`));
  return {
    path,
    rows: full.result.rows,
    bytes: full.result.bytes,
    seconds: round1(full.result.ms / 1000),
    rowsPerSecond: Math.round((full.result.rows / full.result.ms) * 1000),
    rssBefore: full.before,
    rssGrowth: Math.max(0, full.peak - full.before),
    rssGrowthTenth: tenth.result.rows > 0 ? Math.max(0, tenth.peak - tenth.before) : null,
  };
}
