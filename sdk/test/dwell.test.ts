// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureDwell, dwellMeter } from '../src/capture/dwell.js';

const T0 = 1_750_000_000_000;
const S = 1000;

describe('dwellMeter', () => {
  it('counts visible time up to 30 s after the last input', () => {
    const meter = dwellMeter(T0, true);
    meter.input(T0 + 10 * S);
    expect(meter.take(T0 + 25 * S)).toBe(25 * S);
    // Idle from 40 s on: the 30 s after the input at 10 s.
    expect(meter.take(T0 + 90 * S)).toBe(15 * S);
  });

  it('starts counting again at the next input after an idle gap', () => {
    const meter = dwellMeter(T0, true);
    meter.input(T0 + 100 * S);
    expect(meter.take(T0 + 105 * S)).toBe(35 * S);
  });

  it('never counts hidden time, and counts again once the page is visible', () => {
    const meter = dwellMeter(T0, true);
    meter.visibility(T0 + 5 * S, false);
    meter.input(T0 + 8 * S);
    expect(meter.take(T0 + 20 * S)).toBe(5 * S);
    meter.visibility(T0 + 60 * S, true);
    expect(meter.take(T0 + 70 * S)).toBe(10 * S);
  });

  it('does not count a page that loads hidden until it is shown', () => {
    const meter = dwellMeter(T0, false);
    expect(meter.take(T0 + 10 * S)).toBe(0);
    meter.visibility(T0 + 10 * S, true);
    expect(meter.take(T0 + 12 * S)).toBe(2 * S);
  });

  it('hands out what gathered since the last report, in whole ms', () => {
    const meter = dwellMeter(T0, true);
    expect(meter.take(T0 + 12.5)).toBe(12);
    expect(meter.take(T0 + 20 * S)).toBe(20 * S - 12);
    expect(meter.take(T0 + 20 * S)).toBe(0);
  });

  it('keeps what is below the asked minimum for a later take', () => {
    const meter = dwellMeter(T0, true);
    expect(meter.take(T0 + 10 * S, 15 * S)).toBe(0);
    expect(meter.take(T0 + 16 * S, 15 * S)).toBe(16 * S);
  });

  it('ignores a clock that goes backwards', () => {
    const meter = dwellMeter(T0, true);
    meter.input(T0 + 10 * S);
    meter.input(T0 + 5 * S);
    expect(meter.take(T0 + 12 * S)).toBe(12 * S);
  });
});

describe('captureDwell', () => {
  let lifetime: AbortController;
  let report: () => void;
  let reported: number[];

  function setVisibility(state: 'visible' | 'hidden'): void {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
    document.dispatchEvent(new Event('visibilitychange'));
  }

  // Fake timers move Date.now along with the timers they fire.
  const pass = (ms: number) => vi.advanceTimersByTime(ms);

  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    reported = [];
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    lifetime = new AbortController();
    report = captureDwell(window, lifetime.signal, () => Date.now(), (activeMs) => reported.push(activeMs));
  });

  afterEach(() => {
    lifetime.abort();
    vi.useRealTimers();
    Reflect.deleteProperty(document, 'visibilityState');
  });

  it('sends a heartbeat once 15 s of active time have gathered', () => {
    for (let i = 0; i < 4; i++) {
      pass(5 * S);
      document.dispatchEvent(new Event('pointermove'));
    }
    expect(reported).toEqual([15 * S]);
  });

  it('stops sending heartbeats 30 s after the last input', () => {
    pass(120 * S);
    expect(reported).toEqual([15 * S, 15 * S]);
    pass(120 * S);
    expect(reported).toEqual([15 * S, 15 * S]);
    document.dispatchEvent(new Event('pointerdown'));
    pass(15 * S);
    expect(reported).toEqual([15 * S, 15 * S, 15 * S]);
  });

  it('reports on hide, then counts nothing while hidden', () => {
    pass(4 * S);
    setVisibility('hidden');
    expect(reported).toEqual([4 * S]);
    pass(60 * S);
    document.dispatchEvent(new Event('keydown'));
    window.dispatchEvent(new Event('pagehide'));
    expect(reported).toEqual([4 * S]);
    setVisibility('visible');
    pass(3 * S);
    window.dispatchEvent(new Event('pagehide'));
    expect(reported).toEqual([4 * S, 3 * S]);
  });

  it('keeps counting for keys and scrolls anywhere on the page', () => {
    pass(25 * S);
    document.body.innerHTML = '<div id="list"></div>';
    document.getElementById('list')!.dispatchEvent(new Event('scroll'));
    pass(20 * S);
    document.body.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true }));
    pass(10 * S);
    report();
    // All 55 s were active: heartbeats at 15, 30 and 45 s, the rest on report.
    expect(reported).toEqual([15 * S, 15 * S, 15 * S, 10 * S]);
  });

  it('reports nothing when nothing gathered, and stops its timer and listeners when its signal aborts', () => {
    report();
    expect(reported).toEqual([]);
    lifetime.abort();
    pass(60 * S);
    setVisibility('hidden');
    expect(reported).toEqual([]);
  });
});
