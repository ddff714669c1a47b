// Loads the ECharts module (the largest chunk) once. The entry calls it at start-up on pages that
// draw charts, so the chunk downloads and compiles while the page's data is on its way instead of
// after it (it used to be requested only when the first chart had its answer: one more round trip
// and ~600 KB of script to compile before anything was drawn). Chart components await the same
// promise. A failed load is forgotten so the next chart tries again.
import type * as EChartsModule from './echarts.ts';

let pending: Promise<typeof EChartsModule> | undefined;

export function loadECharts(): Promise<typeof EChartsModule> {
  pending ??= import('./echarts.ts').catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}
