// @vitest-environment happy-dom
/**
 * The built-in renderers are loaded (src/act/load.ts) only when an action of a
 * kind the SDK renders arrives: never for an answer without actions, nor for
 * a kind the site renders itself through `on('action')`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as sdk from '../src/api.js';

const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('../src/act/load.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/act/load.js')>();
  return {
    loadRenderers: () => {
      loads.count += 1;
      return actual.loadRenderers();
    },
  };
});

let answers: unknown[][];
let sent: { type: string; actionId?: string }[];
let frames: FrameRequestCallback[];
/** Runs the animation frames asked for so far (the renderer draws in one). */
const runFrames = () => frames.splice(0).forEach((run) => run(0));

beforeEach(() => {
  localStorage.clear();
  loads.count = 0;
  sent = [];
  answers = [];
  frames = [];
  document.body.innerHTML = '<div data-sf-slot="banner"></div>';
  vi.stubGlobal('requestAnimationFrame', (run: FrameRequestCallback) => frames.push(run));
  vi.spyOn(console, 'debug').mockImplementation(() => {});
  vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
    const { events } = JSON.parse(init.body as string) as { events: { type: string; actionId?: string }[] };
    sent.push(...events);
    const actions = answers.shift() ?? [];
    return new Response(JSON.stringify({ accepted: events.length, rejected: [], actions }), { status: 200, headers: { 'content-type': 'application/json' } });
  });
});

afterEach(() => {
  sdk.shutdown();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const start = () => sdk.init({ siteKey: 'demo-site-key', endpoint: 'https://edge.example.com' });

describe('the renderers of actions', () => {
  it('are not loaded for answers without actions', async () => {
    start();
    sdk.track('add_to_cart');
    await vi.waitFor(() => expect(sent.map((e) => e.type)).toEqual(expect.arrayContaining(['page_view', 'track'])));
    await sdk.flush();
    expect(loads.count).toBe(0);
  });

  it('are not loaded for a kind the site renders itself, which its handler still gets', async () => {
    const seen: string[] = [];
    sdk.on('action', (action) => void seen.push(action.id));
    answers.push([{ id: 'offer-1', kind: 'offer', title: 'Free shipping' }]);
    start();
    await vi.waitFor(() => expect(seen).toEqual(['offer-1']));
    await sdk.flush();
    expect(loads.count).toBe(0);
  });

  it('are loaded for a banner, which is rendered into its slot and counted as an exposure', async () => {
    answers.push([{ id: 'banner-1', kind: 'banner', title: 'Summer sale' }]);
    start();
    await vi.waitFor(() => {
      runFrames();
      expect(document.querySelector('[data-sf-slot="banner"] .sf-title')?.textContent).toBe('Summer sale');
    });
    await vi.waitFor(() => expect(sent.filter((e) => e.type === 'exposure').map((e) => e.actionId)).toEqual(['banner-1']));
    expect(loads.count).toBe(1);
  });
});
