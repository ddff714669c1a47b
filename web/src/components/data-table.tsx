// The one table component: aligned columns, numbers right-aligned in tabular figures with their
// unit in the header, sortable headers, an optional expandable row (an incident's timeline), and
// an empty message. Also renders a chart's DataTable (the numbers behind the chart).
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { type DataTable as ChartTable, columnHeader } from '../charts/spec.ts';
import { formatNumber } from '../lib/format.ts';

export interface TableColumn<T> {
  key: string;
  label: string;
  unit?: string;
  numeric?: boolean;
  render?: (row: T) => ComponentChildren;
  /** Value sorted on (default: the rendered text is not sortable). */
  sort?: (row: T) => number | string | null;
  title?: string;
  /** Hide on narrow screens. */
  optional?: boolean;
  /** Keep the cell on one line. */
  nowrap?: boolean;
  /** A minimum width (CSS), for the column that holds titles. */
  minWidth?: string;
}

export interface DataTableProps<T> {
  columns: readonly TableColumn<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  empty?: ComponentChildren;
  initialSort?: { key: string; dir: 'asc' | 'desc' };
  expand?: (row: T) => ComponentChildren;
  caption?: string;
  dense?: boolean;
  testId?: string;
}

export function DataTable<T>(props: DataTableProps<T>) {
  const [sort, setSort] = useState(props.initialSort ?? null);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const sorted = useMemo(() => {
    if (!sort) return props.rows;
    const column = props.columns.find((c) => c.key === sort.key);
    if (!column?.sort) return props.rows;
    const key = column.sort;
    const dir = sort.dir === 'asc' ? 1 : -1;
    return [...props.rows].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      if (x === y) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * dir;
    });
  }, [props.rows, props.columns, sort]);

  const toggle = (key: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  if (props.rows.length === 0 && props.empty) return <div class="table-empty">{props.empty}</div>;
  const span = props.columns.length + (props.expand ? 1 : 0);
  return (
    <div class="table-wrap">
      <table class={`table${props.dense ? ' table-dense' : ''}`} data-testid={props.testId}>
        {props.caption ? <caption class="sr-only">{props.caption}</caption> : null}
        <thead>
          <tr>
            {props.expand ? <th class="col-expand" aria-label="Details" /> : null}
            {props.columns.map((c) => {
              const active = sort?.key === c.key;
              const label = (
                <>
                  {c.label}
                  {c.unit ? <span class="unit"> ({c.unit})</span> : null}
                </>
              );
              return (
                <th
                  key={c.key}
                  class={`${c.numeric ? 'num' : ''}${c.optional ? ' optional' : ''}`}
                  title={c.title}
                  aria-sort={active ? (sort?.dir === 'asc' ? 'ascending' : 'descending') : undefined}
                >
                  {c.sort ? (
                    <button
                      type="button"
                      class="sort"
                      onClick={() =>
                        setSort(active && sort?.dir === 'desc' ? { key: c.key, dir: 'asc' } : { key: c.key, dir: 'desc' })
                      }
                    >
                      {label}
                      <span class="sort-mark" aria-hidden="true">
                        {active ? (sort?.dir === 'asc' ? '▲' : '▼') : '↕'}
                      </span>
                    </button>
                  ) : (
                    label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => {
            const key = props.rowKey(row);
            const isOpen = open.has(key);
            return (
              <>
                <tr key={key} class={isOpen ? 'open' : ''}>
                  {props.expand ? (
                    <td class="col-expand">
                      <button
                        type="button"
                        class="expander"
                        aria-expanded={isOpen}
                        aria-label={isOpen ? 'Hide details' : 'Show details'}
                        onClick={() => toggle(key)}
                      >
                        {isOpen ? '▾' : '▸'}
                      </button>
                    </td>
                  ) : null}
                  {props.columns.map((c) => (
                    <td
                      key={c.key}
                      class={`${c.numeric ? 'num' : ''}${c.optional ? ' optional' : ''}${c.nowrap ? ' nowrap' : ''}`}
                      style={c.minWidth ? { minWidth: c.minWidth } : undefined}
                    >
                      {c.render ? c.render(row) : String((row as Record<string, unknown>)[c.key] ?? '–')}
                    </td>
                  ))}
                </tr>
                {isOpen && props.expand ? (
                  <tr key={`${key}-details`} class="details">
                    <td colSpan={span}>{props.expand(row)}</td>
                  </tr>
                ) : null}
              </>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The numbers behind a chart, as drawn. */
export function ChartDataTable({ table, testId }: { table: ChartTable; testId?: string }) {
  return (
    <div class="table-wrap table-scroll">
      <table class="table table-dense" data-testid={testId}>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th key={c.label} class={c.numeric ? 'num' : ''}>
                {columnHeader(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, i) => (
            <tr key={i}>
              {row.map((cell, j) => (
                <td key={j} class={table.columns[j]?.numeric ? 'num' : ''} data-value={cell === null ? '' : String(cell)}>
                  {cell === null
                    ? '–'
                    : typeof cell === 'number'
                      ? formatNumber(cell, 2)
                      : typeof cell === 'boolean'
                        ? cell
                          ? 'yes'
                          : 'no'
                        : cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
