/**
 * What a visitor object knows from the collector's read API: the visitor's
 * cross-device profile, its session-aware recommendations, the stock of the
 * products its rules may offer, and (shared by every object of the isolate)
 * the popularity list. Reads run after the answer, never on the hot path:
 * a decision uses what is already here and fresh enough, else the session
 * alone, and recommendations fall back to popularity. Below `full` the
 * degradation level narrows both what is read and what is used (`ReadsAllowed`).
 */
import {
  parseInventoryView,
  parseProfileView,
  parseRecsView,
  type ProfileView,
  type RecommendedItem,
  type RecsItem,
  type RecsStrategy,
  type RecsView,
} from '@sessionflow/core';
import { FreshValue, type Freshness } from './fresh.js';
import { readJson, type ReadTarget } from './read-json.js';

export interface ReadsFreshness {
  profile: Freshness;
  recs: Freshness;
  inventory: Freshness;
  popularity: Freshness;
}

/** Reads again after a second or so (the pipeline keeps Redis a few hundred ms behind a click); decides on nothing older than a minute. */
export const DEFAULT_READS_FRESHNESS: ReadsFreshness = {
  profile: { refreshAfterMs: 1_000, maxAgeMs: 60_000 },
  recs: { refreshAfterMs: 1_000, maxAgeMs: 60_000 },
  inventory: { refreshAfterMs: 5_000, maxAgeMs: 60_000 },
  popularity: { refreshAfterMs: 30_000, maxAgeMs: 10 * 60_000 },
};

/** How many popular products are kept: enough to fill a slot after the page's own product and the out-of-stock ones are left out. */
const POPULARITY_SIZE = 24;

/** What the visitor's decision is made with. */
export interface ReadSnapshot {
  profile: ProfileView | undefined;
  inStock: Readonly<Record<string, boolean>> | undefined;
  /** Items for a recs action, best first; undefined when there is nothing to show yet. */
  recsFor(strategy: RecsStrategy | undefined, page: { productId?: string | undefined; category?: string | undefined }, limit: number): RecommendedItem[] | undefined;
}

/**
 * Whose profile and recommendations are read: the verified user's, else the
 * device's own. User ids and anonymous ids are separate namespaces, so a
 * read always names which one it means.
 */
export type ReadSubject = { kind: 'user'; id: string } | { kind: 'device'; id: string };

/** The subject as one string (`user:<id>` / `device:<id>`): what the object records it last read. */
export const subjectKey = (subject: ReadSubject): string => `${subject.kind}:${subject.id}`;

/** What the degradation level in force still lets the object use and read (core's `levelAllows`). */
export interface ReadsAllowed {
  /** The visitor's profile (not at `live_only` and below). */
  profileReads: boolean;
  /** Session-aware recommendations; without them popularity fills recs actions (not at `popularity` and below). */
  sessionRecs: boolean;
}

const ALL_READS: ReadsAllowed = { profileReads: true, sessionRecs: true };

/** What the object wants fresh after this visit. */
export interface ReadWants {
  subject: ReadSubject;
  sessionId: string;
  /** The product on the page, which session-aware recommendations are for. */
  productId: string | undefined;
  /** Products whose stock a rule may need (offers, the page's product, the cart). */
  stockIds: readonly string[];
}

// One per isolate: the same for every visitor, so one object's read serves all of them.
let sharedPopularity: { target: string; value: FreshValue<RecsView> } | undefined;

export class VisitorReads {
  /** With whose it is: a value read for one subject is never used for another. */
  private readonly profile: FreshValue<{ subject: string; view: ProfileView | null }>;
  private readonly recs: FreshValue<RecsView>;
  private recsContext: string | undefined;
  private recsSubject: string | undefined;
  /** The context whose last read of session-aware recommendations failed: only then is popularity put in their place. */
  private recsFailedFor: { context: string | undefined } | undefined;
  private readonly inventory: FreshValue<Record<string, boolean>>;
  private stockAsked = new Set<string>();
  private readonly popularity: FreshValue<RecsView>;
  /** The last list read for this visitor (whatever page it was for): personal still, while the page's own is on its way. */
  private lastRecs: { subject: string; view: RecsView; at: number } | undefined;
  private readonly recsMaxAgeMs: number;

  constructor(
    private readonly target: ReadTarget,
    freshness: ReadsFreshness = DEFAULT_READS_FRESHNESS,
  ) {
    this.profile = new FreshValue(freshness.profile);
    this.recs = new FreshValue(freshness.recs);
    this.recsMaxAgeMs = freshness.recs.maxAgeMs;
    this.inventory = new FreshValue(freshness.inventory);
    if (sharedPopularity?.target !== target.collectorUrl) {
      sharedPopularity = { target: target.collectorUrl, value: new FreshValue(freshness.popularity) };
    }
    this.popularity = sharedPopularity.value;
  }

  /** What a decision at `nowMs` for `subject` can use, of what the level in force allows. */
  snapshot(nowMs: number, subject: ReadSubject, allowed: ReadsAllowed = ALL_READS): ReadSnapshot {
    const key = subjectKey(subject);
    const read = allowed.profileReads ? this.profile.get(nowMs) : undefined;
    const profile = read !== undefined && read.subject === key ? (read.view ?? undefined) : undefined;
    const last = allowed.sessionRecs ? this.lastRecs : undefined;
    const earlierList = last !== undefined && last.subject === key && nowMs - last.at <= this.recsMaxAgeMs ? last.view.items : undefined;
    const inStock = this.inventory.get(nowMs);
    const visitorRecs = allowed.sessionRecs && this.recsSubject === key ? this.recs.get(nowMs) : undefined;
    const popular = this.popularity.get(nowMs);
    const recsContext = this.recsContext;
    const recsFailedFor = this.recsFailedFor;
    return {
      profile,
      inStock,
      recsFor(strategy, page, limit) {
        // The visitor's list for this page, else the one read for the page before (same visitor: a login makes
        // it someone else's). With neither, nothing now rather than popularity: the page shows an action once
        // per page view and the personal list is a batch away. Popularity stands in when the read failed.
        const sessionAware = (visitorRecs !== undefined && recsContext === page.productId ? visitorRecs.items : undefined) ?? earlierList;
        // Degraded to popularity, there is nothing to wait for: popularity fills the slot at once.
        const waiting = allowed.sessionRecs && sessionAware === undefined && recsFailedFor?.context !== page.productId;
        if (waiting && (strategy === undefined || strategy === 'similar' || strategy === 'recent')) return undefined;
        const candidates = pick(strategy, sessionAware, popular?.items, page.category);
        if (candidates === undefined) return undefined;
        const items = candidates
          .filter((item) => item.id !== page.productId && inStock?.[item.id] !== false)
          .slice(0, limit)
          .map(toRecommendedItem);
        return items.length > 0 ? items : undefined;
      },
    };
  }

  /** Starts the reads that are due and allowed; resolves when they are done (the caller does not wait for it before answering). */
  async refresh(wants: ReadWants, nowMs: () => number, allowed: ReadsAllowed = ALL_READS): Promise<void> {
    const { target } = this;
    const subject = subjectKey(wants.subject);
    if (wants.productId !== this.recsContext || subject !== this.recsSubject) {
      this.recs.clear();
      this.recsContext = wants.productId;
      this.recsSubject = subject;
      this.recsFailedFor = undefined;
    }
    // Someone else's now (a login): read theirs at once rather than wait out the old one's freshness.
    if (this.profile.peek()?.subject !== subject) this.profile.clear();
    if (wants.stockIds.some((id) => !this.stockAsked.has(id))) {
      this.stockAsked = new Set([...this.stockAsked, ...wants.stockIds]);
      this.inventory.clear();
    }
    const recsQuery = new URLSearchParams({ [wants.subject.kind]: wants.subject.id, session: wants.sessionId, n: String(POPULARITY_SIZE) });
    if (wants.productId !== undefined) recsQuery.set('context', wants.productId);
    const stockIds = [...this.stockAsked];
    await Promise.all([
      !allowed.profileReads
        ? undefined
        : this.profile.refresh(nowMs, async () => {
            const outcome = await readJson(target, `/v1/profile/${wants.subject.kind}/${encodeURIComponent(wants.subject.id)}`, parseProfileView);
            // Unknown to the collector is an answer too: a new visitor has no profile yet.
            if (!outcome.ok && outcome.notFound === true) return { ok: true, value: { subject, view: null } };
            const checked = logged('profile', outcome);
            return checked.ok ? { ok: true, value: { subject, view: checked.value } } : checked;
          }),
      !allowed.sessionRecs
        ? undefined
        : this.recs.refresh(nowMs, async () => {
            const outcome = logged('recs', await readJson(target, `/v1/recs?${recsQuery}`, parseRecsView));
            if (wants.productId === this.recsContext) this.recsFailedFor = outcome.ok ? undefined : { context: wants.productId };
            if (outcome.ok) this.lastRecs = { subject, view: outcome.value, at: nowMs() };
            // Read for someone the visitor no longer is (a login while it was in flight): not kept as the current list.
            return subject === this.recsSubject ? outcome : { ok: false };
          }),
      stockIds.length === 0
        ? undefined
        : this.inventory.refresh(nowMs, async () => {
            const outcome = logged('inventory', await readJson(target, `/v1/inventory?ids=${stockIds.map(encodeURIComponent).join(',')}`, parseInventoryView));
            return outcome.ok ? { ok: true, value: outcome.value.inStock } : outcome;
          }),
      this.popularity.refresh(nowMs, async () => logged('popularity', await readJson(target, `/v1/recs?n=${POPULARITY_SIZE}`, parseRecsView))),
    ]);
  }
}

function pick(strategy: RecsStrategy | undefined, sessionAware: RecsItem[] | undefined, popular: RecsItem[] | undefined, category: string | undefined): RecsItem[] | undefined {
  switch (strategy) {
    case 'popular':
      return popular;
    case 'category': {
      const inCategory = popular?.filter((item) => item.category === category);
      return inCategory !== undefined && inCategory.length > 0 ? inCategory : popular;
    }
    default:
      // `similar`, `recent` and no strategy: the collector's session-aware list, else popularity with the page's category first.
      return sessionAware ?? (popular === undefined ? undefined : categoryFirst(popular, category));
  }
}

function categoryFirst(items: RecsItem[], category: string | undefined): RecsItem[] {
  if (category === undefined) return items;
  return [...items.filter((item) => item.category === category), ...items.filter((item) => item.category !== category)];
}

const LINK = /^(https?:\/\/|\/)/i;

/** What the SDK renders: a link it would refuse (not http(s), not a path) is left off rather than sinking the whole action. */
function toRecommendedItem(item: RecsItem): RecommendedItem {
  return {
    id: item.id,
    name: item.name,
    ...(item.href !== undefined && LINK.test(item.href) ? { href: item.href } : {}),
    ...(item.price !== undefined ? { price: item.price } : {}),
  };
}

let lastFailure: Record<string, string> = {};

/** One log line when a read starts failing or fails differently, not one per visit. */
function logged<T>(what: string, outcome: { ok: true; value: T } | { ok: false; reason: string }): typeof outcome {
  if (!outcome.ok && lastFailure[what] !== outcome.reason) console.error(`read of ${what} from the collector failed: ${outcome.reason}`);
  lastFailure = { ...lastFailure, [what]: outcome.ok ? '' : outcome.reason };
  return outcome;
}
