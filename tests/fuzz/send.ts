// Sending a fuzz request exactly as generated: node:http with the raw path (no URL normalisation,
// so `..` and odd percent-encodings reach the server), any method token, any header, a body sent
// with a content-length or chunked. A server that answers early (a 413 before the body is read)
// and closes the connection still counts as having answered.
import { Agent, request } from 'node:http';
import { brotliDecompressSync, constants, gunzipSync, inflateSync } from 'node:zlib';
import type { FuzzRequest } from './requests.ts';

export interface FuzzAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The first 64 KB of the body. */
  body: string;
  bytes: number;
  ms: number;
}

const MAX_KEPT = 64 * 1024;

/**
 * The body as text, unzipped as its Content-Encoding says (a fuzz request may accept gzip, and the
 * server then zips JSON, as it should). Only the first 64 KB were kept, so a cut stream is read as
 * far as it goes; a body that does not unzip is reported as such (the envelope check then fails).
 */
function decoded(body: Buffer, encoding: string | string[] | undefined): string {
  const how = String(encoding ?? '')
    .trim()
    .toLowerCase();
  if (how === '' || how === 'identity') return body.toString('utf8');
  const partial = { finishFlush: constants.Z_SYNC_FLUSH };
  try {
    if (how === 'gzip') return gunzipSync(body, partial).toString('utf8');
    if (how === 'deflate') return inflateSync(body, partial).toString('utf8');
    if (how === 'br') return brotliDecompressSync(body, { finishFlush: constants.BROTLI_OPERATION_FLUSH }).toString('utf8');
  } catch (error) {
    return `(a ${how} body that does not unzip: ${(error as Error).message})`;
  }
  return `(a body in an unknown encoding: ${how})`;
}

export function createAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets });
}

/**
 * Send one request. A kept-alive connection the server closed as it was being reused (its idle
 * timeout) fails before any answer; like browsers, ask again once on a fresh one.
 */
export async function send(base: URL, req: FuzzRequest, agent: Agent, timeoutMs = 30_000): Promise<FuzzAnswer> {
  try {
    return await sendOnce(base, req, agent, timeoutMs);
  } catch (error) {
    if (!(error as { reusedSocket?: boolean }).reusedSocket) throw error;
    return sendOnce(base, req, agent, timeoutMs);
  }
}

function sendOnce(base: URL, generated: FuzzRequest, agent: Agent, timeoutMs: number): Promise<FuzzAnswer> {
  const body: string | Buffer | undefined = typeof generated.body === 'function' ? generated.body() : generated.body;
  const req = { ...generated, body };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const fail = (error: Error, retryable = true) =>
      finish(() => reject(Object.assign(error, { reusedSocket: retryable && client.reusedSocket && !answered })));
    let answered = false;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined && headers['content-length'] === undefined) {
      // Node frames a body of GET or DELETE only when told how.
      if (req.chunked) headers['transfer-encoding'] = 'chunked';
      else headers['content-length'] = String(Buffer.byteLength(req.body));
    }
    const client = request({
      host: base.hostname,
      port: base.port,
      method: req.method,
      path: req.path,
      headers,
      agent,
    });
    const timer = setTimeout(() => {
      client.destroy();
      fail(new Error(`no answer within ${timeoutMs} ms`), false);
    }, timeoutMs);
    client.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        if (bytes < MAX_KEPT) chunks.push(chunk);
        bytes += chunk.length;
      });
      const done = () =>
        finish(() =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: decoded(Buffer.concat(chunks), res.headers['content-encoding']).slice(0, MAX_KEPT),
            bytes,
            ms: performance.now() - started,
          }),
        );
      res.on('end', done);
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('answer cut off')));
    });
    client.on('error', (error: NodeJS.ErrnoException) => {
      // Writing a body the server refused (and stopped reading) fails; its answer still arrives.
      if ((error.code === 'EPIPE' || error.code === 'ECONNRESET') && req.body !== undefined) return;
      fail(error);
    });
    client.on('close', () => fail(new Error('connection closed without an answer')));
    if (req.body !== undefined) client.end(req.body);
    else client.end();
  });
}
