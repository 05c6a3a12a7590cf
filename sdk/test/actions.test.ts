// @vitest-environment happy-dom
import type { Action, SessionflowEvent } from '@sessionflow/core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ActionHandler } from '../src/act/dispatch.js';
import { renderAction } from '../src/act/render.js';
import { resolveConfig } from '../src/config.js';
import { memoryQueue } from '../src/queue/memory-queue.js';
import { createTracker } from '../src/tracker.js';
import { fakeCookies, fakeStore, fakeTransport, sequentialIds } from './fakes.js';

const MARKUP = '<img src=x onerror="window.hacked=1"><b>Sale</b>';

beforeEach(() => {
  document.body.innerHTML = '<div data-sf-slot="banner"></div><p id="reading">Text</p><div data-sf-slot="recs"></div>';
});

describe('renderAction', () => {
  it('renders a banner into its slot, every field as text', () => {
    const done = renderAction(document, { id: 'a1', kind: 'banner', title: MARKUP, text: 'Shoes -20%', href: '/sale', cta: 'Shop' });
    const slot = document.querySelector('[data-sf-slot="banner"]')!;
    expect(done).toBe(true);
    expect(slot.querySelector('.sf-title')!.textContent).toBe(MARKUP);
    expect(slot.querySelector('img, b')).toBeNull();
    expect(slot.querySelector('.sf-text')!.textContent).toBe('Shoes -20%');
    expect(slot.querySelector<HTMLAnchorElement>('a.sf-cta')!.getAttribute('href')).toBe(new URL('/sale', location.href).href);
  });

  it('renders recommendations as products the SDK captures like any other', () => {
    renderAction(document, {
      id: 'a2',
      kind: 'recs',
      title: 'You may like',
      items: [
        { id: 'sku-1002', name: 'Desk lamp', href: 'https://shop.example/p/1002', price: '€49' },
        { id: 'sku-1003', name: MARKUP },
      ],
    });
    const items = document.querySelectorAll('[data-sf-slot="recs"] li.sf-item');
    expect([...items].map((li) => li.getAttribute('data-sf-product'))).toEqual(['sku-1002', 'sku-1003']);
    expect(items[0]!.querySelector('a')!.getAttribute('href')).toBe('https://shop.example/p/1002');
    expect(items[0]!.querySelector('.sf-price')!.textContent).toBe('€49');
    expect(items[1]!.textContent).toBe(MARKUP);
    expect(document.querySelector('[data-sf-slot="recs"] img')).toBeNull();
  });

  it.each(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', ' JAVASCRIPT:alert(1)'])('drops the link %j', (href) => {
    renderAction(document, { id: 'a3', kind: 'banner', text: 'Hi', href });
    expect(document.querySelector('[data-sf-slot="banner"] a')).toBeNull();
  });

  it('renders into the slot the action names, and only into slots the page has', () => {
    document.body.innerHTML = '<div data-sf-slot="hero"></div>';
    expect(renderAction(document, { id: 'a4', kind: 'banner', slot: 'hero', text: 'Hi' })).toBe(true);
    expect(document.querySelector('[data-sf-slot="hero"] .sf-text')!.textContent).toBe('Hi');
    expect(renderAction(document, { id: 'a5', kind: 'banner', text: 'Hi' })).toBe(false);
    expect(renderAction(document, { id: 'a6', kind: 'banner', slot: '"],body,[x="', text: 'Hi' })).toBe(false);
    expect(document.body.children).toHaveLength(1);
  });

  it('leaves kinds it does not know to the site', () => {
    expect(renderAction(document, { id: 'a7', kind: 'offer', text: 'Free shipping' })).toBe(false);
  });
});

describe('actions in a collect answer', () => {
  function setup(answerActions: unknown, handlers = new Set<ActionHandler>(), stored: Record<string, string> = {}) {
    const transport = fakeTransport((batch) =>
      batch.body.events.some((e) => e.type === 'page_view')
        ? { status: 200, body: { accepted: 1, rejected: [], actions: answerActions } }
        : undefined,
    );
    const rendered: Action[] = [];
    const tracker = createTracker({
      config: resolveConfig({ siteKey: 'demo-site-key', endpoint: 'https://edge.example.com', requireConsent: 'sf_consent' in stored }),
      store: fakeStore(stored),
      cookies: fakeCookies(),
      queue: memoryQueue<SessionflowEvent>(),
      transport,
      readPage: () => ({ url: 'https://shop.example.com/', referrer: '', title: 'Shop' }),
      now: () => Date.UTC(2025, 0, 15),
      newId: sequentialIds(),
      handlers,
      // Synchronous here; the browser runtime renders in the next frame.
      render: (action, done) => renderAction(document, action) && (rendered.push(action), done()),
    });
    const exposures = async () => {
      await tracker.flush();
      return transport.sent.flatMap((b) => b.body.events).filter((e) => e.type === 'exposure') as unknown as Record<string, unknown>[];
    };
    return { tracker, rendered, exposures };
  }

  const banner = { id: 'banner-1', kind: 'banner', text: 'Hi', experiment: 'hero', variant: 'b' };
  const recs = { id: 'recs-1', kind: 'recs', items: [{ id: 'sku-1001', name: 'Lamp' }] };

  it('renders banner and recommendations and sends one exposure for each, naming action and variant', async () => {
    const { tracker, rendered, exposures } = setup([banner, recs]);
    tracker.page();
    await tracker.flush();
    expect(rendered.map((a) => a.id)).toEqual(['banner-1', 'recs-1']);
    expect(await exposures()).toMatchObject([
      { actionId: 'banner-1', experiment: 'hero', variant: 'b' },
      { actionId: 'recs-1' },
    ]);
  });

  it('hands every action to the handlers; a handler that rendered one counts an exposure, one that did not counts none', async () => {
    const seen: string[] = [];
    const handlers = new Set<ActionHandler>([
      (action) => void seen.push(action.id),
      (action) => action.kind === 'offer',
      () => {
        throw new Error('a broken handler');
      },
    ]);
    const { tracker, exposures } = setup([{ id: 'offer-1', kind: 'offer' }, { id: 'reorder-1', kind: 'reorder' }], handlers);
    tracker.page();
    await tracker.flush();
    expect(seen).toEqual(['offer-1', 'reorder-1']);
    expect((await exposures()).map((e) => e['actionId'])).toEqual(['offer-1']);
  });

  it('applies an action once per page view, however often the edge repeats it', async () => {
    const { tracker, exposures } = setup([banner, banner]);
    tracker.page();
    await tracker.flush();
    expect(await exposures()).toHaveLength(1);
  });

  it('ignores answers whose actions are not a list of actions', async () => {
    for (const actions of [null, 'banner', [null, 7, { kind: 'banner' }, { id: 'x' }]]) {
      const { tracker, rendered, exposures } = setup(actions);
      tracker.page();
      await tracker.flush();
      expect(rendered).toEqual([]);
      expect(await exposures()).toEqual([]);
    }
  });

  it('applies nothing without consent to personalization', async () => {
    const { tracker, rendered, exposures } = setup([banner], new Set(), { sf_consent: JSON.stringify({ analytics: true, personalization: false }) });
    tracker.page();
    await tracker.flush();
    expect(rendered).toEqual([]);
    expect(await exposures()).toEqual([]);
  });
});
