// The HTTP harness both stand-ins run on: plain node:http on a free loopback port (it gives the
// socket control that resets and truncated bodies need, and costs little per request), request
// accounting, fault injection around the API's own handler, and the admin routes under
// `/__stand-in/` (a path neither real API has) that the demo uses to switch faults at run time.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultController, FaultInputError, type FaultRuleInput, type FiredFault } from './faults.ts';
import type { Router } from './router.ts';
import { RequestStats } from './stats.ts';

export interface Reply {
  status: number;
  headers: OutgoingHttpHeaders;
  body?: string;
}

export interface StandInRequest {
  /** 1-based sequence number of this request on this server (feeds deterministic request ids). */
  seq: number;
  method: string;
  /** Path and query exactly as received. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Endpoint template key, e.g. `GET /incidents`; `unknown` when no route matched. */
  endpoint: string;
  params: Record<string, string>;
  token: string | undefined;
  /** Wall-clock ms (from the stand-in's `now`) when the request arrived. */
  receivedAt: number;
}

/** Faults that answer in place of the endpoint; the API renders them in its own error shapes. */
export type AnsweringFault = 'status' | 'rate-limit' | 'secondary-rate-limit';

export interface HarnessHooks<H> {
  router: Router<H>;
  extractToken(headers: IncomingHttpHeaders): string | undefined;
  handle(req: StandInRequest, handler: H): Promise<Reply>;
  faultReply(kind: AnsweringFault, fired: FiredFault, req: StandInRequest): Reply;
  notFound(req: StandInRequest): Reply;
  internalError(req: StandInRequest, error: unknown): Reply;
  /** Move the organisation's clock (advance-clock faults and the admin clock route). Returns the new clock. */
  advanceClock(change: { advanceMs?: number; to?: string }): string;
  clock(): string;
}

export interface HarnessOptions {
  host?: string;
  port?: number;
  now?: () => number;
  faults?: FaultController;
  /** Rules switched on from the start (the demo's command-line option). */
  initialFaults?: FaultRuleInput[];
  /** How many recent requests `stats.log()` keeps (0 turns the log off). */
  logLimit?: number;
}

export interface StandInServer {
  /** Base URL, e.g. `http://127.0.0.1:38211`. */
  url: string;
  port: number;
  faults: FaultController;
  stats: RequestStats;
  close(): Promise<void>;
}

const ADMIN_PREFIX = '/__stand-in/';
const MAX_ADMIN_BODY = 64 * 1024;

function json(status: number, value: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(value) };
}

export async function startHarness<H>(hooks: HarnessHooks<H>, options: HarnessOptions): Promise<StandInServer> {
  const now = options.now ?? Date.now;
  const faults = options.faults ?? new FaultController();
  for (const rule of options.initialFaults ?? []) faults.add(rule);
  const stats = new RequestStats(options.logLimit ?? 1000);
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;

  const sleep = (ms: number, res: ServerResponse) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
      // A client that gave up (its timeout fired) closes the socket: stop waiting for it.
      res.once('close', () => {
        clearTimeout(t);
        timers.delete(t);
        resolve();
      });
    });

  async function admin(req: IncomingMessage, path: string): Promise<Reply> {
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const what = path.slice(ADMIN_PREFIX.length);
    try {
      if (what === 'faults' && req.method === 'GET') return json(200, faults.list());
      if (what === 'faults' && req.method === 'DELETE') {
        faults.clear();
        return json(200, faults.list());
      }
      if (what === 'faults' && req.method === 'POST') {
        const list = Array.isArray(body)
          ? body
          : body && typeof body === 'object' && 'rules' in body
            ? (body as { rules: unknown }).rules
            : [body];
        if (!Array.isArray(list)) throw new FaultInputError('Send one rule object, an array of rules, or { "rules": [...] }.');
        const ids = list.map((rule) => faults.add(rule as FaultRuleInput));
        return json(201, { added: ids, ...faults.list() });
      }
      if (what === 'stats' && req.method === 'GET') return json(200, { ...stats.snapshot(), log: stats.log() });
      if (what === 'stats' && req.method === 'DELETE') {
        stats.reset();
        return json(200, stats.snapshot());
      }
      if (what === 'clock' && req.method === 'GET') return json(200, { clock: hooks.clock() });
      if (what === 'clock' && req.method === 'POST') {
        const change = (body ?? {}) as { advanceMs?: unknown; to?: unknown };
        const advanceMs = typeof change.advanceMs === 'number' && change.advanceMs > 0 ? change.advanceMs : undefined;
        const to = typeof change.to === 'string' && !Number.isNaN(Date.parse(change.to)) ? change.to : undefined;
        if (advanceMs === undefined && to === undefined) {
          throw new FaultInputError('Send { "advanceMs": <positive number> } or { "to": "<ISO instant>" }.');
        }
        return json(200, { clock: hooks.advanceClock({ advanceMs, to }) });
      }
    } catch (error) {
      if (error instanceof FaultInputError) return json(400, { error: { code: 'invalid_fault', message: error.message } });
      throw error;
    }
    return json(404, {
      error: {
        code: 'not_found',
        message: `No admin route ${req.method} ${path}. Use /__stand-in/faults, /__stand-in/stats or /__stand-in/clock.`,
      },
    });
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const method = req.method ?? 'GET';

    if (path.startsWith(ADMIN_PREFIX)) {
      let reply: Reply;
      try {
        reply = await admin(req, path);
      } catch (error) {
        reply = json(400, {
          error: { code: 'invalid_request', message: error instanceof Error ? error.message : String(error) },
        });
      }
      write(res, reply, now);
      return;
    }

    const match = hooks.router.match(method, path);
    const request: StandInRequest = {
      seq: ++seq,
      method,
      url: rawUrl,
      path,
      query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)),
      headers: req.headers,
      endpoint: match ? match.route.endpoint : 'unknown',
      params: match ? match.params : {},
      token: hooks.extractToken(req.headers),
      receivedAt: now(),
    };

    const fired = faults.active ? faults.take(request.endpoint, rawUrl, request.token) : [];
    let answered: Reply | undefined;
    let post: FiredFault | undefined;
    let faultName: string | null = null;
    for (const f of fired) {
      const kind = f.rule.kind;
      if (kind === 'slow') {
        await sleep(f.rule.delayMs ?? 0, res);
        if (res.destroyed || res.writableEnded) {
          stats.record({ seq: request.seq, method, url: rawUrl, endpoint: request.endpoint, status: 0, fault: 'slow' });
          return;
        }
        faultName ??= 'slow';
      } else if (kind === 'advance-clock') {
        hooks.advanceClock({ advanceMs: f.rule.advanceMs, to: f.rule.to });
        faultName ??= 'advance-clock';
      } else if (kind === 'revoke-token') {
        const token = f.rule.revoke ?? request.token;
        if (token) faults.revokeToken(token);
        faultName ??= 'revoke-token';
      } else if (kind === 'remove-repository') {
        if (f.rule.repo) faults.removeRepository(f.rule.repo);
        faultName ??= 'remove-repository';
      } else if (kind === 'reset' || kind === 'truncate') {
        post ??= f;
      } else if (!answered) {
        answered = hooks.faultReply(kind, f, request);
        faultName = kind;
      }
    }

    let reply: Reply;
    if (answered) reply = answered;
    else if (!match) reply = hooks.notFound(request);
    else {
      try {
        reply = await hooks.handle(request, match.route.handler);
      } catch (error) {
        reply = hooks.internalError(request, error);
      }
    }

    if (res.destroyed) return;
    if (post) {
      faultName = post.rule.kind;
      stats.record({ seq: request.seq, method, url: rawUrl, endpoint: request.endpoint, status: reply.status, fault: faultName });
      writeBroken(res, reply, post, now);
      return;
    }
    stats.record({ seq: request.seq, method, url: rawUrl, endpoint: request.endpoint, status: reply.status, fault: faultName });
    write(res, reply, now);
  }

  const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    res.sendDate = false; // the Date header comes from the injected clock, for byte-identical replies
    serve(req, res).catch((error: unknown) => {
      // Only a harness bug gets here; answer rather than hang the client.
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`stand-in harness error: ${error instanceof Error ? error.stack : String(error)}`);
      } else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    faults,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function withDate(headers: OutgoingHttpHeaders, now: () => number, length: number | undefined): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { date: new Date(now()).toUTCString(), ...headers };
  if (length !== undefined) out['content-length'] = length;
  return out;
}

function write(res: ServerResponse, reply: Reply, now: () => number): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status, withDate(reply.headers, now, reply.status === 304 ? undefined : 0));
    res.end();
    return;
  }
  const body = Buffer.from(reply.body);
  res.writeHead(reply.status, withDate(reply.headers, now, body.length));
  res.end(body);
}

/** Send a reply that breaks part-way: a reset connection or a truncated body. */
function writeBroken(res: ServerResponse, reply: Reply, fault: FiredFault, now: () => number): void {
  const body = Buffer.from(reply.body ?? '');
  const keep = Math.min(body.length, fault.rule.bytes ?? Math.floor(body.length / 2));
  const part = body.subarray(0, keep);
  const socket = res.socket as Socket | null;
  if (fault.rule.kind === 'truncate' && fault.rule.declare === 'sent') {
    // A complete HTTP message whose JSON stops mid-way: the client's JSON parser has to cope.
    res.writeHead(reply.status, withDate(reply.headers, now, part.length));
    res.end(part);
    return;
  }
  // Headers promise the whole body; the connection ends before it arrives.
  res.writeHead(reply.status, withDate({ ...reply.headers, connection: 'close' }, now, body.length));
  res.write(part, () => {
    if (!socket || socket.destroyed) return;
    if (fault.rule.kind === 'reset') socket.resetAndDestroy();
    else socket.destroySoon();
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_ADMIN_BODY) throw new FaultInputError('Admin request body is over 64 KB.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new FaultInputError('Admin request body is not valid JSON.');
  }
}
