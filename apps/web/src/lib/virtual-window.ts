/** The slice of rows to render for a scroll position. */
export interface VirtualWindow {
  /** First row to render (inclusive). */
  start: number;
  /** Last row to render (exclusive). */
  end: number;
  /** The rendered block's offset from the top of the list, in px. */
  offsetTop: number;
  /** Height of the whole list, in px. */
  totalHeight: number;
}

export interface VirtualWindowOptions {
  count: number;
  rowHeight: number;
  scrollTop: number;
  viewportHeight: number;
  /** Extra rows above and below the viewport. Default 10. */
  overscan?: number;
}

/**
 * Which rows of a fixed-height list are on screen, with an overscan margin. The cost is constant in
 * the list's length, so 10,000 rows scroll like 100.
 *
 * @example
 * computeWindow({ count: 10_000, rowHeight: 50, scrollTop: 5_000, viewportHeight: 500, overscan: 0 })
 * // { start: 100, end: 110, offsetTop: 5000, totalHeight: 500000 }
 */
export function computeWindow(options: VirtualWindowOptions): VirtualWindow {
  const { count, rowHeight, viewportHeight } = options;
  const overscan = options.overscan ?? 10;
  const totalHeight = count * rowHeight;
  const scrollTop = Math.max(0, Math.min(options.scrollTop, Math.max(0, totalHeight - viewportHeight)));
  const first = Math.floor(scrollTop / rowHeight);
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offsetTop: start * rowHeight, totalHeight };
}
