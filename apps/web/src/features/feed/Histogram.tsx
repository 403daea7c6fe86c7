import { useRef, useState, type PointerEvent } from 'react';
import type { EventCount } from '@herald/sdk/browser';

export interface HistogramProps {
  buckets: EventCount[];
  /** The window shown, in epoch ms; bars outside it are clipped. */
  since: number;
  until: number;
  /** Called with the dragged range (at least one second). */
  onZoom: (since: number, until: number) => void;
}

const HEIGHT = 80;

/**
 * Event counts over time, one bar per server-side bucket. Dragging across it selects a sub-range and
 * zooms the feed to it.
 */
export function Histogram({ buckets, since, until, onZoom }: HistogramProps) {
  const ref = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const span = Math.max(1, until - since);
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const total = buckets.reduce((sum, b) => sum + b.count, 0);

  const fraction = (clientX: number) => {
    const box = ref.current?.getBoundingClientRect();
    if (!box || box.width === 0) return 0;
    return Math.min(1, Math.max(0, (clientX - box.left) / box.width));
  };
  const down = (e: PointerEvent<SVGSVGElement>) => {
    e.currentTarget.setPointerCapture?.(e.pointerId);
    const f = fraction(e.clientX);
    setDrag({ from: f, to: f });
  };
  const move = (e: PointerEvent<SVGSVGElement>) => drag && setDrag({ ...drag, to: fraction(e.clientX) });
  const up = () => {
    if (!drag) return;
    const a = since + Math.min(drag.from, drag.to) * span;
    const b = since + Math.max(drag.from, drag.to) * span;
    setDrag(null);
    if (b - a >= 1000) onZoom(Math.floor(a), Math.ceil(b));
  };

  return (
    <div className="histogram" data-testid="histogram">
      <div className="histogram-legend muted">
        <span>{new Date(since).toLocaleString()}</span>
        <span>{total.toLocaleString()} events · drag to zoom</span>
        <span>{new Date(until).toLocaleString()}</span>
      </div>
      <svg ref={ref} viewBox={`0 0 1000 ${HEIGHT}`} preserveAspectRatio="none" onPointerDown={down} onPointerMove={move} onPointerUp={up} role="img" aria-label="Events over time">
        {buckets.map((b) => {
          const start = Math.max(since, Date.parse(b.start_time));
          const end = Math.min(until, Date.parse(b.end_time) + 1);
          if (end <= start || b.count === 0) return null;
          const x = ((start - since) / span) * 1000;
          const w = Math.max(1, ((end - start) / span) * 1000 - 1);
          const h = Math.max(2, (b.count / max) * (HEIGHT - 4));
          return (
            <rect key={b.value} className="bar" x={x} y={HEIGHT - h} width={w} height={h}>
              <title>{`${b.count} events · ${new Date(b.start_time).toLocaleString()}`}</title>
            </rect>
          );
        })}
        {drag && <rect className="brush" x={Math.min(drag.from, drag.to) * 1000} y={0} width={Math.abs(drag.to - drag.from) * 1000} height={HEIGHT} />}
      </svg>
    </div>
  );
}
