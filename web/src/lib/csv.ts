// CSV of exactly what a chart or table shows, built in the browser from the same rows it draws:
// RFC 4180 (CRLF, quotes doubled), a header row, UTF-8 with a BOM so spreadsheets read accents,
// and text cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) neutralised with
// a leading apostrophe, as the server's CSV does. Numbers are written as they are.

export type CsvCell = string | number | boolean | null | undefined;

const formulaStart = /^[=+\-@\t\r]/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const text = formulaStart.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** A file name from parts: lower case, safe characters, joined by dashes. */
export function fileName(parts: readonly (string | null | undefined)[], extension: string): string {
  const safe = parts
    .filter((p): p is string => !!p)
    .map((p) =>
      p
        .toLowerCase()
        .replace(/[^a-z0-9.]+/g, '-')
        .replace(/^-+|-+$/g, ''),
    )
    .filter(Boolean);
  return `${safe.join('-')}.${extension}`;
}
