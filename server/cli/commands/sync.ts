// vigil sync: run the collectors once, now, from the command line. It opens the database itself,
// so while `vigil serve` holds the file it says so in one line and exits 1 (POST /api/sync on the
// server does the same job). On a terminal it redraws live progress per repository; otherwise it
// logs plain lines. It ends with one paragraph per source; exit 0 when every source succeeded.

import type { ProgressSnapshot } from '../../../collectors/engine/progress.ts';
import { progressLines, scopeLine, summaryParagraph } from '../../../collectors/engine/report.ts';
import { createSyncService, type RunResult, type SyncService } from '../../../collectors/index.ts';
import { applyConfig } from '../../config/apply.ts';
import { loadConfig } from '../../config/load.ts';
import { openDatabase } from '../../db/index.ts';
import type { SourceName } from '../../lib/sync-controller.ts';
import { type Command, configOption } from '../args.ts';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.ts';

const SOURCES: SourceName[] = ['github', 'pagerduty'];

/** Live progress on a terminal: the block of lines is redrawn in place, at most ~8 times a second. */
class TerminalProgress {
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;
  private snapshot: (() => ProgressSnapshot) | null = null;
  private started = performance.now();

  constructor(private readonly out: NodeJS.WriteStream) {}

  follow(snapshot: () => ProgressSnapshot): void {
    this.snapshot = snapshot;
    this.started = performance.now();
    this.timer ??= setInterval(() => this.draw(), 125);
    this.timer.unref();
  }

  private draw(): void {
    if (!this.snapshot) return;
    const lines = progressLines(
      this.snapshot(),
      performance.now() - this.started,
      this.out.rows ?? 24,
      (this.out.columns ?? 100) - 1,
    );
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const line of lines) text += `\x1b[2K${line}\n`;
    // Clear lines left over from a taller previous frame.
    for (let i = lines.length; i < this.drawn; i++) text += '\x1b[2K\n';
    if (this.drawn > lines.length) text += `\x1b[${this.drawn - lines.length}A`;
    this.out.write(text);
    this.drawn = lines.length;
  }

  /** Draw the final frame and leave it on screen. */
  finish(): void {
    this.draw();
    this.snapshot = null;
    this.drawn = 0;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

function plainProgress(service: SyncService, write: (line: string) => void): void {
  service.onRunStart((source, progress) => {
    write(`${source}: sync started (run ${progress.runId}), ${progress.snapshot().scopes.length} scope(s)`);
    progress.onChange(({ scope, kind }) => {
      if (kind !== 'done' && kind !== 'failed') return;
      const state = progress.snapshot().scopes.find((s) => s.scope === scope);
      if (state) write(`${source}:${scopeLine(state, 400).replace(/\s+/g, ' ')}${state.message ? ` — ${state.message}` : ''}`);
    });
  });
}

export const syncCommand: Command = {
  name: 'sync',
  summary: 'Sync GitHub (and PagerDuty) now, or rebuild the tables from raw with --renormalize',
  usage: 'vigil sync [--source github|pagerduty] [--renormalize] [--config FILE]',
  options: {
    ...configOption,
    source: { type: 'string', short: 's' },
    renormalize: { type: 'boolean' },
  },
  async run(values) {
    const requested = values.source as string | undefined;
    if (requested !== undefined && !SOURCES.includes(requested as SourceName)) {
      throw new UsageError(`--source must be one of ${SOURCES.join(', ')}, not "${requested}".`, 'sync');
    }
    const { config } = loadConfig(values.config as string);
    const db = await openDatabase(config.database);
    const out = process.stdout;
    const write = (line: string) => out.write(`${line}\n`);
    const tty = out.isTTY === true;
    let service: SyncService | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (!service) process.exit(130);
      process.stderr.write(`\nvigil: ${signal}: stopping at the next batch boundary (again to quit now)…\n`);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(130));
      void service.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await applyConfig(db, config);
      const terminal = tty ? new TerminalProgress(out) : null;
      service = await createSyncService(db, config, {
        log: (line) => (tty ? process.stderr.write(`\x1b[2K${line}\n`) : write(line)),
      });
      if (terminal) service.onRunStart((_source, progress) => terminal.follow(() => progress.snapshot()));
      else plainProgress(service, write);
      const available = service.sources();
      const sources = requested ? [requested as SourceName] : available;
      if (sources.length === 0) {
        write(
          'Nothing to sync: the config maps no GitHub repositories (teams[].repos) and no PagerDuty services or schedules (teams[].services, teams[].schedules).',
        );
        return EXIT_OK;
      }
      const results: RunResult[] = [];
      for (const source of sources) {
        if (!available.includes(source)) {
          write(
            source === 'github'
              ? 'GitHub: the config maps no repositories (teams[].repos), so there is nothing to sync.'
              : 'PagerDuty: the config maps no services or schedules (teams[].services, teams[].schedules), so there is nothing to sync.',
          );
          if (requested) return EXIT_FAILURE;
          continue;
        }
        const result = values.renormalize ? await service.renormalize(source) : await service.run(source, 'cli');
        terminal?.finish();
        results.push(result);
        const scopes = result.trigger === 'renormalize' ? 0 : Object.keys(result.streams).length ? countScopes(result) : 0;
        write(summaryParagraph(result, scopes));
      }
      return results.every((r) => r.status === 'succeeded') ? EXIT_OK : EXIT_FAILURE;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await service?.stop();
      await db.close();
    }
  },
};

function countScopes(result: RunResult): number {
  const scopes = new Set<string>();
  for (const byScope of Object.values(result.streams)) for (const scope of Object.keys(byScope)) scopes.add(scope);
  return scopes.size;
}
