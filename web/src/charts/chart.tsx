// The chart component: loads the ECharts module on first use (keeping it out of the initial
// JavaScript), creates one instance per element, applies each new option in full, follows the
// element's size, reports clicks on points, and disposes the instance when unmounted.
import { useEffect, useRef, useState } from 'preact/hooks';
import type * as EChartsModule from './echarts.ts';
import type { ChartOption, ECharts } from './echarts.ts';
import { loadECharts } from './load.ts';

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
    const draw = ({ createChart }: typeof EChartsModule) => {
      const el = element.current;
      if (disposed || !el) return;
      const instance = createChart(el);
      chart.current = instance;
      // The end-to-end tests read a point's pixel position from here, then click it as a person would.
      (el as HTMLElement & { vigilChart?: ECharts }).vigilChart = instance;
      // Ready (data-chart-ready, which the tests and the bench wait for) once ECharts has painted the
      // data, on its 'finished' event, not when it was handed the option. The first draw is not
      // animated: bars growing from zero for 300 ms are a chart without its values, and they kept
      // the main thread busy while the page's other charts waited. Later updates animate.
      let drawn = false;
      instance.on('finished', () => {
        if (drawn || disposed) return;
        drawn = true;
        setReady(true);
      });
      instance.setOption({ ...latest.current.option, animation: false }, { notMerge: true });
      instance.on('click', (params) => {
        const p = params as { seriesIndex?: number; dataIndex?: number };
        if (p.seriesIndex !== undefined && p.dataIndex !== undefined) latest.current.onPoint?.(p.seriesIndex, p.dataIndex);
      });
      // A ResizeObserver reports the size it starts with: only a real change lays the chart out again
      // (a second full render of every chart on its first draw otherwise).
      let size = `${el.clientWidth}x${el.clientHeight}`;
      observer = new ResizeObserver(() => {
        const next = `${el.clientWidth}x${el.clientHeight}`;
        if (next === size) return;
        size = next;
        instance.resize();
      });
      observer.observe(el);
      latest.current.onReady?.(instance);
    };
    loadECharts()
      .then(draw)
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
