// Conversion of DuckDB values to plain JSON-safe JavaScript values. This is the only place that
// knows how DuckDB represents BIGINTs, timestamps and dates, so no other file has to (STYLE.md §3).
//
// Checked facts (../shared/DUCKDB-NOTES.md §6): BIGINT comes back as a JS bigint, which
// JSON.stringify cannot serialise; TIMESTAMPTZ rendered as text follows the process time zone.
// So: integers become numbers (or decimal strings when outside the safe range), TIMESTAMP and
// TIMESTAMPTZ become ISO-8601 UTC strings, DATE becomes 'YYYY-MM-DD'.
import {
  arrayFromArrayValue,
  arrayFromListValue,
  booleanFromValue,
  createDuckDBValueConverter,
  type DuckDBDateValue,
  type DuckDBTimestampTZValue,
  type DuckDBTimestampValue,
  DuckDBTypeId,
  type DuckDBValue,
  type DuckDBValueConverter,
  doubleFromDecimalValue,
  nullConverter,
  numberFromValue,
  objectFromStructValue,
  stringFromValue,
  unsupportedConverter,
} from '@duckdb/node-api';

export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

function integerFromBigInt(value: DuckDBValue): number | string {
  const n = value as bigint;
  if (n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(n);
  return n.toString();
}

function isoFromMicros(micros: bigint): string {
  // Infinity timestamps are stored as the extreme int64 values; render them as null-free markers.
  if (micros >= 9223372036854775806n) return 'infinity';
  if (micros <= -9223372036854775806n) return '-infinity';
  const ms = Number(micros / 1000n);
  return new Date(ms).toISOString();
}

function isoFromTimestamp(value: DuckDBValue): string {
  return isoFromMicros((value as DuckDBTimestampValue | DuckDBTimestampTZValue).micros);
}

function isoDate(value: DuckDBValue): string {
  const days = (value as DuckDBDateValue).days;
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

const convertersByTypeId = {
  [DuckDBTypeId.INVALID]: unsupportedConverter,
  [DuckDBTypeId.BOOLEAN]: booleanFromValue,
  [DuckDBTypeId.TINYINT]: numberFromValue,
  [DuckDBTypeId.SMALLINT]: numberFromValue,
  [DuckDBTypeId.INTEGER]: numberFromValue,
  [DuckDBTypeId.BIGINT]: integerFromBigInt,
  [DuckDBTypeId.UTINYINT]: numberFromValue,
  [DuckDBTypeId.USMALLINT]: numberFromValue,
  [DuckDBTypeId.UINTEGER]: numberFromValue,
  [DuckDBTypeId.UBIGINT]: integerFromBigInt,
  [DuckDBTypeId.FLOAT]: numberFromValue,
  [DuckDBTypeId.DOUBLE]: numberFromValue,
  [DuckDBTypeId.TIMESTAMP]: isoFromTimestamp,
  [DuckDBTypeId.DATE]: isoDate,
  [DuckDBTypeId.TIME]: stringFromValue,
  [DuckDBTypeId.INTERVAL]: stringFromValue,
  [DuckDBTypeId.HUGEINT]: integerFromBigInt,
  [DuckDBTypeId.UHUGEINT]: integerFromBigInt,
  [DuckDBTypeId.VARCHAR]: stringFromValue,
  [DuckDBTypeId.BLOB]: stringFromValue,
  [DuckDBTypeId.DECIMAL]: doubleFromDecimalValue,
  [DuckDBTypeId.TIMESTAMP_S]: isoFromTimestamp,
  [DuckDBTypeId.TIMESTAMP_MS]: isoFromTimestamp,
  [DuckDBTypeId.TIMESTAMP_NS]: stringFromValue,
  [DuckDBTypeId.ENUM]: stringFromValue,
  [DuckDBTypeId.LIST]: arrayFromListValue,
  [DuckDBTypeId.STRUCT]: objectFromStructValue,
  [DuckDBTypeId.MAP]: unsupportedConverter,
  [DuckDBTypeId.ARRAY]: arrayFromArrayValue,
  [DuckDBTypeId.UUID]: stringFromValue,
  [DuckDBTypeId.UNION]: unsupportedConverter,
  [DuckDBTypeId.BIT]: stringFromValue,
  [DuckDBTypeId.TIME_TZ]: stringFromValue,
  [DuckDBTypeId.TIMESTAMP_TZ]: isoFromTimestamp,
  [DuckDBTypeId.ANY]: unsupportedConverter,
  [DuckDBTypeId.BIGNUM]: integerFromBigInt,
  [DuckDBTypeId.SQLNULL]: nullConverter,
  [DuckDBTypeId.STRING_LITERAL]: unsupportedConverter,
  [DuckDBTypeId.INTEGER_LITERAL]: unsupportedConverter,
  [DuckDBTypeId.TIME_NS]: stringFromValue,
  [DuckDBTypeId.GEOMETRY]: unsupportedConverter,
  [DuckDBTypeId.VARIANT]: unsupportedConverter,
} as Record<DuckDBTypeId, DuckDBValueConverter<Plain> | undefined>;

export const plainConverter: DuckDBValueConverter<Plain> = createDuckDBValueConverter<Plain>(convertersByTypeId);
