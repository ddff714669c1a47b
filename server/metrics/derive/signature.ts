// The alert-rule signature (METRICS.md "Alert rule"): the service plus the incident title with
// the parts that vary between firings of one rule replaced by placeholders, so the weekly review
// can group pages by the rule that sent them. Written as one SQL expression (it runs over every
// incident in DuckDB, never in a JS loop); `normaliseTitle` is its JS twin for tests and docs.
//
// Order matters: UUIDs and IP addresses contain hex and digits, so they go first; host names
// (three or more dot-separated labels) next; then whole numbers, hex ids of six or more hex
// characters, and finally digits left inside words ("db3" -> "db<n>").

const steps: readonly [pattern: string, placeholder: string][] = [
  ['[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<uuid>'],
  ['\\b\\d{1,3}(?:\\.\\d{1,3}){3}(?::\\d+)?\\b', '<ip>'],
  ['\\b(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}\\b', '<ip>'],
  ['\\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?){2,}\\b', '<host>'],
  ['\\b\\d+\\b', '<n>'],
  ['\\b(?:0x)?[0-9a-f]{6,}\\b', '<hex>'],
  ['\\d+', '<n>'],
  ['\\s+', ' '],
];

/** SQL for the normalised title of `column` (a VARCHAR expression from code, never from input). */
export function normalisedTitleSql(column: string): string {
  let sql = `lower(coalesce(${column}, ''))`;
  for (const [pattern, placeholder] of steps) {
    sql = `regexp_replace(${sql}, '${pattern.replace(/'/g, "''")}', '${placeholder}', 'g')`;
  }
  return `trim(${sql})`;
}

/** SQL for the signature: `<service id>:<normalised title>`. */
export function signatureSql(serviceColumn: string, titleColumn: string): string {
  return `(coalesce(${serviceColumn}, '') || ':' || ${normalisedTitleSql(titleColumn)})`;
}

/** The same normalisation in JS (RE2 and JS agree on these patterns). */
export function normaliseTitle(title: string): string {
  let out = title.toLowerCase();
  for (const [pattern, placeholder] of steps) out = out.replace(new RegExp(pattern, 'g'), placeholder);
  return out.trim();
}
