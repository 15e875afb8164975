import { useState, type UIEvent } from 'react';

/**
 * Which rows of a long list to draw: those in view plus `overscan` either side. Rows are `rowHeight`
 * pixels tall and absolutely placed in a spacer `height` tall; before the list is scrolled (and in tests,
 * where it may never be) the first `initialRows` count as in view.
 */
export function useVirtualRows(
  count: number,
  rowHeight: number,
  { overscan, initialRows }: { overscan: number; initialRows: number },
) {
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(initialRows * rowHeight);
  return {
    first: Math.max(0, Math.floor(scrollTop / rowHeight) - overscan),
    last: Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan),
    height: count * rowHeight,
    onScroll: (event: UIEvent<HTMLElement>) => {
      setScrollTop(event.currentTarget.scrollTop);
      setViewport(event.currentTarget.clientHeight);
    },
  };
}
