/**
 * The crash tests' workload: the same shop traffic for every run, told apart
 * only by the run's prefix in every id (visitors, sessions, events, users,
 * products, the experiment's key and the traffic source), so a run with a
 * crash can be compared with the reference run once the prefix is replaced.
 *
 * Each visitor is one device with one session of BATCHES batches. Most browse
 * anonymously (a landing page from the run's campaign, product views by
 * clicks and `product_view` tracks, an exposure to the run's experiment, an
 * add to cart, some purchases); every eighth signs in halfway (a verified
 * identify), and the visitor four after it is that user's second device,
 * signed in from its second batch, viewing products only.
 *
 * Everything the pipeline's results depend on is fixed here: event times are
 * `t0` plus offsets (the same absolute times in every run, so the funnel's
 * minutes and the profiles' decayed affinities line up), variants follow the
 * visitor's number (not its id, which differs per run), and the only order
 * left to chance is between a user's two devices, which the comparison reads
 * as sets.
 */
import { SCHEMA_VERSION, type SessionflowEvent } from '@sessionflow/core';

export const BATCHES = 12;
export const PRODUCTS = 24;
const CATEGORIES = ['shoes', 'lighting', 'kitchen', 'garden'] as const;
const VARIANTS = ['alpha', 'beta'] as const;
const DESKTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';
const MOBILE_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36';
const SHOP = 'https://shop.example';

export interface WorkloadVisitor {
  index: number;
  anonymousId: string;
  sessionId: string;
  userAgent: string;
  /** The client address the edge's per-client limit counts (a browser each). */
  clientIp: string;
  /** The user it signs in as, if it does. */
  userId?: string;
  batches: SessionflowEvent[][];
}

export interface Workload {
  run: string;
  /** What every id of the run starts with; replaced by `RUN` when runs are compared. */
  prefix: string;
  experimentKey: string;
  visitors: WorkloadVisitor[];
  /** Every event id, in send order per visitor. */
  eventIds: string[];
  userIds: string[];
}

/** The experiment a run's exposures name, as the pipeline and the collector are configured with it. */
export function runExperiment(prefix: string): Record<string, unknown> {
  return {
    key: `${prefix}.exp`,
    version: 1,
    traffic: 1,
    variants: VARIANTS.map((name) => ({ name, weight: 1 })),
    conversion: { type: 'track', name: 'add_to_cart' },
    control: VARIANTS[0],
  };
}

export function runPrefix(run: string): string {
  return `cr-${run}`;
}

export function productId(prefix: string, n: number): string {
  return `${prefix}.p${String(n % PRODUCTS).padStart(2, '0')}`;
}

export function categoryOf(n: number): string {
  return CATEGORIES[(n % PRODUCTS) % CATEGORIES.length]!;
}

type Role = 'anonymous' | 'signs-in' | 'second-device';

function roleOf(index: number, visitors: number): Role {
  if (index % 8 === 0) return 'signs-in';
  if (index % 8 === 4 && index - 4 >= 0 && index < visitors) return 'second-device';
  return 'anonymous';
}

/**
 * The run's visitors. `tokenFor(userId)` signs the identity token a site's
 * server would give the page (the edge verifies it).
 */
export function crashWorkload(opts: { run: string; t0: number; visitors: number; tokenFor: (userId: string) => string }): Workload {
  const prefix = runPrefix(opts.run);
  const experimentKey = `${prefix}.exp`;
  const visitors: WorkloadVisitor[] = [];
  for (let index = 0; index < opts.visitors; index++) {
    const role = roleOf(index, opts.visitors);
    const v = String(index).padStart(3, '0');
    const userId = role === 'signs-in' ? `${prefix}.u${v}` : role === 'second-device' ? `${prefix}.u${String(index - 4).padStart(3, '0')}` : undefined;
    const visitor: WorkloadVisitor = {
      index,
      anonymousId: `${prefix}.v${v}.device`,
      sessionId: `${prefix}.v${v}.session`,
      userAgent: index % 2 === 0 ? DESKTOP_UA : MOBILE_UA,
      clientIp: `10.${index >> 8}.${index & 255}.${(index * 7) & 255}`,
      ...(userId !== undefined ? { userId } : {}),
      batches: [],
    };
    visitor.batches = script(visitor, role, { prefix, experimentKey, t0: opts.t0, token: userId !== undefined ? opts.tokenFor(userId) : '' });
    visitors.push(visitor);
  }
  return {
    run: opts.run,
    prefix,
    experimentKey,
    visitors,
    eventIds: visitors.flatMap((v) => v.batches.flat().map((e) => e.eventId)),
    userIds: [...new Set(visitors.flatMap((v) => (v.userId !== undefined ? [v.userId] : [])))],
  };
}

interface ScriptContext {
  prefix: string;
  experimentKey: string;
  t0: number;
  token: string;
}

/** One visitor's batches. A step is the events of one batch, written as what the shopper does. */
function script(visitor: WorkloadVisitor, role: Role, ctx: ScriptContext): SessionflowEvent[][] {
  const i = visitor.index;
  const product = (k: number): number => i * 5 + k * 7;
  const variant = VARIANTS[i % VARIANTS.length]!;
  let signedIn = false;
  const batches: SessionflowEvent[][] = [];
  for (let b = 0; b < BATCHES; b++) {
    const events: SessionflowEvent[] = [];
    let e = 0;
    const base = (path: string, extra: Partial<SessionflowEvent> = {}): SessionflowEvent =>
      ({
        schemaVersion: SCHEMA_VERSION,
        eventId: `${ctx.prefix}.v${String(i).padStart(3, '0')}.b${String(b).padStart(2, '0')}.e${e++}`,
        anonymousId: visitor.anonymousId,
        sessionId: visitor.sessionId,
        ...(signedIn && visitor.userId !== undefined ? { userId: visitor.userId } : {}),
        // The same absolute times in every run (see the file's comment); a few minutes in the past of t0's caller.
        timestamp: ctx.t0 + i * 2_000 + b * 4_000 + e * 50,
        page: { url: `${SHOP}${path}`, referrer: '', pageViewId: `${ctx.prefix}.v${String(i).padStart(3, '0')}.pv${b}` },
        ...extra,
      }) as SessionflowEvent;
    const click = (k: number): SessionflowEvent => {
      const n = product(k);
      return base(`/p/${n % PRODUCTS}`, { type: 'click', element: { tag: 'a', selector: 'main a.product' }, product: { id: productId(ctx.prefix, n), category: categoryOf(n) } } as Partial<SessionflowEvent>);
    };
    const track = (name: string, path: string, props: Record<string, unknown>): SessionflowEvent => base(path, { type: 'track', name, props } as Partial<SessionflowEvent>);
    const identify = (): SessionflowEvent => {
      const event = base('/account', { type: 'identify', userId: visitor.userId, token: ctx.token } as Partial<SessionflowEvent>);
      signedIn = true;
      return event;
    };
    const exposure = (): SessionflowEvent =>
      base('/', { type: 'exposure', actionId: 'recs:0', experiment: ctx.experimentKey, variant, slot: 'recs' } as Partial<SessionflowEvent>);

    if (role === 'second-device') {
      // The user's second device: signs in at once, then only looks.
      if (b === 0) events.push(base(`/?utm_source=${ctx.prefix}`, { type: 'page_view' } as Partial<SessionflowEvent>));
      else if (b === 1) events.push(identify());
      else events.push(click(b), ...(b % 3 === 0 ? [base('/', { type: 'scroll', depth: 50 } as Partial<SessionflowEvent>)] : []));
      batches.push(events);
      continue;
    }
    switch (b) {
      case 0:
        events.push(base(`/?utm_source=${ctx.prefix}`, { type: 'page_view' } as Partial<SessionflowEvent>));
        break;
      case 1:
        events.push(click(1), base('/', { type: 'scroll', depth: 50 } as Partial<SessionflowEvent>));
        break;
      case 2:
        events.push(exposure(), click(2));
        break;
      case 3: {
        const n = product(3);
        events.push(track('product_view', `/p/${n % PRODUCTS}`, { productId: productId(ctx.prefix, n), category: categoryOf(n) }), base('/', { type: 'dwell', activeMs: 1_200 + i * 10 } as Partial<SessionflowEvent>));
        break;
      }
      case 4:
        events.push(base(`/c/${categoryOf(product(4))}`, { type: 'page_view' } as Partial<SessionflowEvent>));
        if (role === 'signs-in') events.push(identify());
        break;
      case 5:
        events.push(click(5));
        // Signed in now: the unit is the user, exposed again under its own ref.
        if (role === 'signs-in') events.push(exposure());
        break;
      case 6:
        if (i % 3 !== 0 || role === 'signs-in') events.push(track('add_to_cart', '/p/cart', { productId: productId(ctx.prefix, product(5)), quantity: 1 }));
        events.push(base('/', { type: 'impression', product: { id: productId(ctx.prefix, product(6)), slot: 'recs' } } as Partial<SessionflowEvent>));
        break;
      case 7:
        events.push(base('/cart', { type: 'page_view' } as Partial<SessionflowEvent>));
        break;
      case 8:
        if (i % 5 === 0 || role === 'signs-in') events.push(track('purchase', '/checkout', { items: [{ productId: productId(ctx.prefix, product(5)), quantity: 1 }] }));
        else events.push(click(8));
        break;
      default:
        events.push(click(b), base('/', { type: 'scroll', depth: 75 } as Partial<SessionflowEvent>));
    }
    batches.push(events);
  }
  return batches;
}
