// Requests Node's HTTP parser refuses before the app sees them (an unknown method, a URL or headers
// over 16 KB, malformed framing such as a request-smuggling Content-Length + Transfer-Encoding
// pair): answered with the same JSON error envelope as every other error, not Node's bare status
// line, then the connection is closed, as Node itself does.
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { errorBody } from './errors.ts';

interface Refusal {
  status: number;
  reason: string;
  code: string;
  message: string;
  hint: string;
}

function refusalFor(error: NodeJS.ErrnoException): Refusal {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: 'Request Header Fields Too Large',
        code: 'headers_too_large',
        message: 'The request line and headers are larger than the 16 KB this server accepts.',
        hint: 'Ask for less per request: fewer filter values in the URL, or several smaller requests.',
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return {
        status: 413,
        reason: 'Payload Too Large',
        code: 'payload_too_large',
        message: 'The chunk extensions of the request body are too large.',
        hint: 'Send the body with a Content-Length, or plain chunks.',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        reason: 'Request Timeout',
        code: 'request_timeout',
        message: 'The request did not arrive in time.',
        hint: 'Send the whole request at once, then retry.',
      };
    case 'HPE_INVALID_METHOD':
      return {
        status: 400,
        reason: 'Bad Request',
        code: 'bad_method',
        message: 'The request uses a method HTTP does not know.',
        hint: 'Vigil answers GET and HEAD, and POST, PUT and DELETE for writes.',
      };
    default:
      return {
        status: 400,
        reason: 'Bad Request',
        code: 'bad_request',
        message: `The request is not valid HTTP/1.1 (${error.code ?? 'malformed'}).`,
        hint: 'Send a well-formed request: one Content-Length or chunked body, headers without control characters.',
      };
  }
}

/** Answer what the HTTP parser refuses with the JSON envelope; pass to `server.on('clientError', …)`. */
export function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  // Nothing can be said on a connection that is gone or that is already mid-answer.
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const refusal = refusalFor(error);
  // An answer to HEAD has no body (the parser got as far as the method when it says HEAD).
  const head = (error as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  const body = head ? '' : JSON.stringify(errorBody(refusal.code, refusal.message, refusal.hint));
  socket.end(
    `HTTP/1.1 ${refusal.status} ${refusal.reason}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'X-Content-Type-Options: nosniff\r\n' +
      'Connection: close\r\n\r\n' +
      body,
  );
}

export function answerMalformedRequests(server: EventEmitter): void {
  server.on('clientError', answerMalformedRequest);
}
