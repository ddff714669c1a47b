// The CSV writer: RFC 4180 quoting, formula neutralisation, and a large query streamed through
// the HTTP body and to a file, read back by a real CSV parser.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../server/db/index.ts';
import { csvCell, csvLine, csvStream, writeCsvFile } from '../../server/lib/csv.ts';
import { tempDir } from '../support/tmp.ts';

describe('CSV cells', () => {
  it('quotes commas, quotes and line breaks, and ends lines with CRLF', () => {
    expect(csvLine(['plain', 'a,b', 'say "hi"', 'two\nlines', null, 3, true])).toBe(
      'plain,"a,b","say ""hi""","two\nlines",,3,true\r\n',
    );
  });

  it('neutralises text that a spreadsheet would run as a formula, but not numbers', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(text).includes(`'${text[0]}`)).toBe(true);
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('a=b')).toBe('a=b');
  });
});

describe('streaming', () => {
  let db: Database;
  const dir = tempDir('vigil-csv-');
  const sql = `SELECT i AS id, 'name ' || i AS name, CASE WHEN i % 1000 = 0 THEN '=cmd' ELSE 'x,' || i END AS note
    FROM range(50000) t(i) ORDER BY i`;
  beforeAll(async () => {
    db = await openDatabase(':memory:');
  });
  afterAll(() => db.close());

  it('streams every row of a large query over HTTP, read back intact', async () => {
    const text = await new Response(csvStream(db, sql, {}, ['id', 'name', 'note'])).text();
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(50_000);
    expect(rows[1]).toEqual({ id: '1', name: 'name 1', note: 'x,1' });
    expect(rows[1000]?.note).toBe("'=cmd");
  });

  it('stops the query when the reader cancels', async () => {
    const reader = csvStream(db, sql, {}).getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    await reader.cancel();
    // The reader connection is free again: another query answers.
    expect(await db.one('SELECT 42 AS n')).toEqual({ n: 42 });
  });

  it('writes the same to a file, with only a header when there are no rows', async () => {
    const path = join(dir, 'out.csv');
    expect(await writeCsvFile(db, sql, {}, path, ['id', 'name', 'note'])).toBe(50_000);
    expect((parse(readFileSync(path, 'utf8'), { columns: true }) as unknown[]).length).toBe(50_000);
    const empty = join(dir, 'empty.csv');
    await writeCsvFile(db, 'SELECT 1 AS id WHERE false', {}, empty, ['id']);
    expect(readFileSync(empty, 'utf8')).toBe('id\r\n');
  });
});
