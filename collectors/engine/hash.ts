// Hashes of raw payloads: equal text, equal hash, so an unchanged record is skipped instead of
// rewritten, and a derived row can name the payloads it was built from.
import { createHash } from 'node:crypto';
import type { RawRecord } from './types.ts';

export function hashText(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Hash several hashes (or texts) in order into one. */
export function hashParts(parts: readonly string[]): string {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('hex');
}

/** A raw record from a parsed item: its JSON text (as received, re-serialised key for key) and hash. */
export function rawRecord(args: {
  stream: string;
  scope: string;
  recordKey: string;
  requestUrl: string;
  fetchedAt: string;
  payload: unknown;
  error?: string | null;
}): RawRecord {
  const text = typeof args.payload === 'string' ? args.payload : JSON.stringify(args.payload);
  return {
    stream: args.stream,
    scope: args.scope,
    recordKey: args.recordKey,
    requestUrl: args.requestUrl,
    fetchedAt: args.fetchedAt,
    payload: text,
    payloadHash: hashText(text),
    error: args.error ?? null,
  };
}
