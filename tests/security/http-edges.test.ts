// What reaches a running Vigil below the app: requests Node's HTTP parser refuses (an unknown
// method, a URL over 16 KB, a Content-Length + Transfer-Encoding pair as used for request
// smuggling, a header with a control character) get the JSON error envelope, not a bare status
// line; and a write refused before its body arrived closes its connection, so a client's next
// request never lands on a connection the server is about to cut. Sent over raw sockets.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config/load.ts';
import { type RunningVigil, startVigil } from '../../server/runtime.ts';

let vigil: RunningVigil;
let port: number;

beforeAll(async () => {
  const config = parseConfig('edges.yaml', { teams: [{ id: 'core', name: 'Core' }], database: ':memory:' });
  vigil = await startVigil({ config, host: '127.0.0.1', port: 0, auth: null, log: () => {} });
  port = Number(new URL(vigil.url).port);
});

afterAll(async () => {
  await vigil?.stop();
});

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  closed: boolean;
}

/** Write raw bytes (in parts, with pauses between them) and read the first answer. */
function raw(parts: (string | Buffer)[], pauseMs = 0): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer: ${data.toString('latin1').slice(0, 300)}`));
    }, 10_000);
    const parse = () => {
      const text = data.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const status = Number(statusLine?.split(' ')[1]);
      if (status === 100) {
        data = data.subarray(end + 4);
        return parse();
      }
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const length = Number(headers['content-length'] ?? 0);
      const body = data.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
      if (body.length < length && !closed) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, headers, body: body.toString('utf8'), closed });
    };
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      parse();
    });
    socket.on('close', () => {
      closed = true;
      parse();
    });
    socket.on('error', () => {});
    socket.on('connect', async () => {
      for (const part of parts) {
        if (socket.destroyed) return;
        socket.write(part);
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
      }
    });
  });
}

function envelope(answer: RawAnswer): { code: string; message: string; hint?: string } {
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  const parsed = JSON.parse(answer.body) as { error: { code: string; message: string; hint?: string } };
  expect(parsed.error.message.length).toBeGreaterThan(10);
  return parsed.error;
}

describe('requests the HTTP parser refuses', () => {
  it.each([
    ['an unknown method', 'FOO /api/health HTTP/1.1\r\nHost: localhost\r\n\r\n', 400, 'bad_method'],
    [
      'a URL over 16 KB',
      `GET /api/incidents?team=${'t,'.repeat(9000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
      431,
      'headers_too_large',
    ],
    [
      'Content-Length with Transfer-Encoding (request smuggling)',
      'POST /api/sync HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/health HTTP/1.1\r\n\r\n',
      400,
      'bad_request',
    ],
    [
      'a header with a control character',
      'GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Evil: a\u0001b\r\n\r\n',
      400,
      'bad_request',
    ],
    [
      'two Content-Length headers',
      'POST /api/sync HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      400,
      'bad_request',
    ],
  ])('answers %s with the JSON envelope and closes the connection', async (_what, request, status, code) => {
    const answer = await raw([request]);
    expect(answer.status).toBe(status);
    expect(answer.headers.connection).toBe('close');
    expect(envelope(answer).code).toBe(code);
  });

  it('answers a malformed HEAD without a body', async () => {
    const answer = await raw(['HEAD /api/health HTTP/1.1\r\nHost: localhost\r\nX-Evil: a\u0001b\r\n\r\n']);
    expect(answer.status).toBe(400);
    expect(answer.body).toBe('');
  });

  it('still answers on new connections afterwards', async () => {
    expect((await fetch(`${vigil.url}/api/health`)).status).toBe(200);
  });
});

describe('writes refused before their body is read', () => {
  it('close the connection when the body is still arriving (a slow client)', async () => {
    // Headers and the first part of a 200 KB body, then the rest in pieces: the server refuses at
    // once (not JSON), and must not keep a connection whose body it stopped reading.
    const head =
      'POST /api/review/notes HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nX-Vigil-Actor: ana\r\nContent-Length: 204800\r\n\r\n';
    const piece = 'x'.repeat(20_480);
    const answer = await raw([head, piece, piece, piece], 50);
    expect(answer.status).toBe(415);
    expect(answer.headers.connection).toBe('close');
    expect(envelope(answer).code).toBe('unsupported_media_type');
  });

  it('close the connection on a body over the limit, and say the limit', async () => {
    const head = `POST /api/review/labels HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Vigil-Actor: ana\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`;
    const answer = await raw([head, 'x'.repeat(65_536)]);
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(envelope(answer)).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/1024 KB/) });
  });

  it('keep the connection open for a refused request without a body', async () => {
    const answer = await raw(['GET /api/metrics/nope HTTP/1.1\r\nHost: localhost\r\n\r\n']);
    expect(answer.status).toBe(404);
    expect(answer.headers.connection).not.toBe('close');
  });
});

describe('a Vigil without authentication, reached under another name (DNS rebinding)', () => {
  it('answers only requests addressed to a loopback name', async () => {
    for (const host of ['localhost', '127.0.0.1', '[::1]', 'LOCALHOST']) {
      const answer = await raw([`GET /api/health HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n\r\n`]);
      expect(answer.status, host).toBe(200);
    }
    // A page on evil.example whose name now resolves to 127.0.0.1: its requests carry its own name.
    for (const host of ['evil.example', '127.0.0.1.nip.io', '0.0.0.0', 'localhost.evil.example']) {
      for (const request of [
        `GET /api/incidents HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n\r\n`,
        `POST /api/review/notes HTTP/1.1\r\nHost: ${host}:${port}\r\nOrigin: http://${host}:${port}\r\nContent-Type: application/json\r\nX-Vigil-Actor: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
        `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      ]) {
        const answer = await raw([request]);
        expect(answer.status, `${host}: ${request.split('\r\n')[0]}`).toBe(403);
        expect(envelope(answer)).toMatchObject({ code: 'host_not_allowed', hint: expect.stringMatching(/VIGIL_AUTH_TOKEN/) });
      }
    }
  });

  it('answers any name once authentication is on (credentials stay per site)', async () => {
    const config = parseConfig('edges-auth.yaml', { teams: [{ id: 'core', name: 'Core' }], database: ':memory:' });
    const token = 'edges-auth-token-0123456789';
    const secured = await startVigil({ config, host: '127.0.0.1', port: 0, auth: { token, users: new Map() }, log: () => {} });
    try {
      const at = (host: string, auth: boolean) =>
        fetch(`${secured.url}/api/teams`, { headers: { host, ...(auth ? { authorization: `Bearer ${token}` } : {}) } });
      expect((await at('vigil.example.com', false)).status).toBe(401);
      expect((await at('vigil.example.com', true)).status).toBe(200);
    } finally {
      await secured.stop();
    }
  });
});
