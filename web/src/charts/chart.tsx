// The chart component: loads the ECharts module on first use (keeping it out of the initial
// JavaScript), creates one instance per element, applies each new option in full, follows the
// element's size, reports clicks on points, and disposes the instance when unmounted.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChartOption, ECharts } from './echarts.ts';

export interface ChartProps {
  option: ChartOption;
  height: number;
  /** A short description for screen readers (ECharts' aria adds the data summary). */
  label: string;
  onPoint?: (seriesIndex: number, dataIndex: number) => void;
  onReady?: (chart: ECharts | null) => void;
}

export function Chart({ option, height, label, onPoint, onReady }: ChartProps) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const latest = useRef({ option, onPoint, onReady });
  latest.current = { option, onPoint, onReady };
  const [failed, setFailed] = useState(false);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    import('./echarts.ts')
      .then(({ createChart }) => {
        const el = element.current;
        if (disposed || !el) return;
        const instance = createChart(el);
        chart.current = instance;
        // The end-to-end tests read a point's pixel position from here, then click it as a person would.
        (el as HTMLElement & { vigilChart?: ECharts }).vigilChart = instance;
        instance.setOption(latest.current.option, { notMerge: true });
        instance.on('click', (params) => {
          const p = params as { seriesIndex?: number; dataIndex?: number };
          if (p.seriesIndex !== undefined && p.dataIndex !== undefined) latest.current.onPoint?.(p.seriesIndex, p.dataIndex);
        });
        observer = new ResizeObserver(() => instance.resize());
        observer.observe(el);
        setReady(true);
        latest.current.onReady?.(instance);
      })
      .catch(() => {
        if (!disposed) setFailed(true);
      });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
      latest.current.onReady?.(null);
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  if (failed) {
    return (
      <div class="state state-error" style={{ minHeight: `${height}px` }}>
        <p>The chart library did not load.</p>
        <p class="hint">Reload the page; if it persists, the server may have been updated while this page was open.</p>
      </div>
    );
  }
  return (
    <div
      ref={element}
      class="chart"
      role="img"
      aria-label={label}
      data-chart-ready={ready ? 'true' : 'false'}
      style={{ height: `${height}px` }}
    />
  );
}
