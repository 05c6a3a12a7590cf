// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { captureScroll, milestonesReached, scrollDepth, type ScrollMeasure } from '../src/capture/scroll.js';

describe('scrollDepth', () => {
  it('is the bottom of the viewport over the document height, in percent', () => {
    expect(scrollDepth({ top: 0, viewport: 800, height: 3200 })).toBe(25);
    expect(scrollDepth({ top: 1600, viewport: 800, height: 3200 })).toBe(75);
    expect(scrollDepth({ top: 2400, viewport: 800, height: 3200 })).toBe(100);
  });

  it('is 100 for a page that fits in the viewport, and never leaves 0..100', () => {
    expect(scrollDepth({ top: 0, viewport: 800, height: 600 })).toBe(100);
    expect(scrollDepth({ top: 0, viewport: 800, height: 0 })).toBe(100);
    // A page not laid out yet (nothing measured) must not give NaN.
    expect(scrollDepth({ top: 0, viewport: 0, height: 0 })).toBe(100);
    expect(scrollDepth({ top: 5000, viewport: 800, height: 3200 })).toBe(100);
    expect(scrollDepth({ top: -300, viewport: 100, height: 3200 })).toBe(0);
  });
});

describe('milestonesReached', () => {
  it('gives every milestone up to the depth that was not reported yet', () => {
    expect(milestonesReached(10, new Set())).toEqual([]);
    expect(milestonesReached(80, new Set())).toEqual([25, 50, 75]);
    expect(milestonesReached(95, new Set([25, 50, 75]))).toEqual([90]);
    expect(milestonesReached(100, new Set([25, 50, 75, 90]))).toEqual([100]);
    expect(milestonesReached(60, new Set([25, 50, 75]))).toEqual([]);
  });
});

describe('captureScroll', () => {
  let lifetime: AbortController;
  let reset: () => void;
  afterEach(() => lifetime.abort());

  function setup(initial: ScrollMeasure) {
    let measure = initial;
    const frames: (() => void)[] = [];
    const depths: number[] = [];
    lifetime = new AbortController();
    reset = captureScroll(window, lifetime.signal, (depth) => depths.push(depth), { measure: () => measure, nextFrame: (run) => void frames.push(run) });
    const runFrames = () => frames.splice(0).forEach((run) => run());
    const scrollTo = (top: number) => {
      measure = { ...measure, top };
      window.dispatchEvent(new Event('scroll'));
    };
    return { depths, frames, runFrames, scrollTo, setMeasure: (m: ScrollMeasure) => (measure = m) };
  }

  it('measures the landing view once laid out, then each milestone once as the visitor scrolls', () => {
    const { depths, runFrames, scrollTo } = setup({ top: 0, viewport: 1000, height: 4000 });
    runFrames();
    expect(depths).toEqual([25]);
    scrollTo(1200);
    runFrames();
    scrollTo(100);
    runFrames();
    scrollTo(1300);
    runFrames();
    expect(depths).toEqual([25, 50]);
    scrollTo(3000);
    runFrames();
    expect(depths).toEqual([25, 50, 75, 90, 100]);
  });

  it('measures at most once per frame however many scroll events come', () => {
    const { frames, runFrames, scrollTo } = setup({ top: 0, viewport: 1000, height: 4000 });
    runFrames();
    for (let top = 0; top < 500; top += 50) scrollTo(top);
    expect(frames).toHaveLength(1);
  });

  it('reports a page that fits in the viewport as seen whole', () => {
    const { depths, runFrames } = setup({ top: 0, viewport: 1000, height: 700 });
    runFrames();
    expect(depths).toEqual([25, 50, 75, 90, 100]);
  });

  it('counts again after a reset (a new page view), from the next scroll on', () => {
    const { depths, runFrames, scrollTo, frames, setMeasure } = setup({ top: 0, viewport: 1000, height: 2000 });
    runFrames();
    expect(depths).toEqual([25, 50]);
    reset();
    setMeasure({ top: 0, viewport: 1000, height: 8000 });
    expect(frames).toHaveLength(0);
    scrollTo(1000);
    runFrames();
    expect(depths).toEqual([25, 50, 25]);
  });

  it('stops listening when its signal aborts', () => {
    const { depths, runFrames, scrollTo } = setup({ top: 0, viewport: 1000, height: 10_000 });
    runFrames();
    lifetime.abort();
    scrollTo(9000);
    runFrames();
    expect(depths).toEqual([]);
  });
});
