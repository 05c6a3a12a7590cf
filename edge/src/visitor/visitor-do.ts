/**
 * One Durable Object per visitor (anonymous id): the edge's first-pass
 * sessionization and its decisions. Each collect batch of the visitor folds
 * into the open session (core's one session definition, on the edge's clock),
 * the signals are computed, experiments assigned (sticky) and the rules
 * decided; the actions shown are remembered for caps and cooldowns. Storage is
 * SQLite-backed; the whole visitor state is one value, read once when the
 * object wakes and written once per batch (the object's input gate keeps
 * batches from interleaving). Every batch it takes goes through its outbox to
 * the collector (outbox.ts), stamped with the session id the edge decided.
 * Profile, recommendations and stock come from the collector's read API in
 * the background (reads/): a decision never waits for them. Each decision is
 * made at the isolate's degradation level (degrade/): popularity instead of
 * session-aware recommendations, no profile, or no decision at all; the
 * batch is taken into the outbox and relayed whatever the level.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  MAX_RELAYED_DECISIONS,
  baselineWith,
  decide,
  decidedOf,
  emptyOpenSession,
  foldEvents,
  levelAllows,
  sessionExpired,
  recordShown,
  signalsOf,
  type Decision,
  type DegradePolicy,
  type DeviceClass,
  type IdentityVerdict,
  type Level,
  type LevelAllows,
  type OpenSession,
  type RecommendedItem,
  type SessionBaseline,
  type SessionflowEvent,
  type RulesDocument,
  type ShownRecord,
} from '@sessionflow/core';
import type { EdgeBindings } from '../env.js';
import { experimentsOf, variantsOf, type Assignments } from './experiments.js';
import { edgeConfig, requireRelaySecret } from '../config.js';
import { applyIdentity } from '../identity/apply.js';
import { OUTBOX_LIMIT, Outbox, type OutboxSlot } from './outbox.js';
import { rateLimitOf } from './rate-limit.js';
import { rulesStore } from '../rules/store.js';
import { VisitorReads, subjectKey, type ReadSnapshot, type ReadSubject } from '../reads/visitor-reads.js';
import { offeredProductIds } from './offers.js';
import { wakeNoLaterThan } from './alarm.js';
import { expiresAt } from './expiry.js';
import type { EdgeDegradation, LevelInForce } from '../degrade/degradation.js';
import { degradationOf } from '../degrade/registry.js';

export interface VisitInput {
  anonymousId: string;
  /** An obvious bot by its user agent: flagged on the session, never dropped. */
  bot?: boolean;
  /** This visitor's accepted events of one batch, in the order received; identifies without their token. */
  events: SessionflowEvent[];
  /** The verdict of each identify, at its event's index: the Worker verified the tokens (identity/identifies.ts). */
  identities?: (IdentityVerdict | undefined)[];
  /** The edge's clock when the batch arrived: sessions are cut on it, not on the device's. */
  receivedAt: number;
  /** The browser's device class (from the user agent), relayed with the batch. */
  device?: DeviceClass;
  /** Where the batch is relayed; it waits in the visitor's outbox until the collector took it. */
  relay: { siteKey: string; collectorUrl: string; timeoutMs: number };
  /** The Worker's degradation policy (SF_EDGE_DEGRADE_POLICY or the defaults); the object's own config's when absent. */
  degrade?: DegradePolicy;
}

export type VisitOutcome =
  | ({ outcome: 'taken' } & VisitDecision)
  | { outcome: 'limited'; retryAfterS: number }
  /** The outbox is full (the collector has been away long): nothing taken. */
  | { outcome: 'outbox_full' };

/** A decision as sent to the page: a recs action carries its items. */
export type EdgeAction = Decision & { items?: RecommendedItem[] };

export interface VisitDecision {
  sessionId: string;
  actions: EdgeAction[];
  /** The visitor's variant per experiment key. */
  variants: Record<string, string>;
  bot: boolean;
  /** Batches waiting for the collector, this one included. */
  outboxDepth: number;
  /** Set when the batch held an identify, or claimed a user this visitor has not verified. */
  identity?: IdentityVerdict;
  /** The degradation level the actions were decided at, and the signal (or `upstream:<part>`) that set it when not `full`. */
  level: Level;
  levelReason?: string;
}

/** What `GET /v1/decide` asks: `rendered` when the server shows the actions (only then is anything kept). */
export interface DecideInput {
  anonymousId: string;
  url: string;
  nowMs: number;
  collectorUrl?: string;
  rendered: boolean;
  /** As VisitInput's. */
  degrade?: DegradePolicy;
}

/** What the admin inspection answers: the stored state as it is, nothing created to answer. */
export interface VisitorInspection {
  exists: boolean;
  state: VisitorState | null;
  outboxDepth: number;
}

/** What `GET /v1/decide` answers: no session id when the visitor has no open session. */
export interface PageDecision {
  sessionId: string | undefined;
  actions: EdgeAction[];
  variants: Record<string, string>;
  level: Level;
  levelReason?: string;
}

export interface VisitorState {
  session?: OpenSession;
  /** The visitor's usual session, from the sessions this object closed. */
  baseline?: SessionBaseline;
  /** Rules shown in `shownIn` (the session they count against). */
  shown: Record<string, ShownRecord>;
  shownIn?: string;
  assignments: Assignments;
  /** Events taken in the current rate window. */
  rate?: { windowStart: number; events: number };
  /** The user this visitor proved to be (a verified identify); without it the visitor is its device only. */
  verifiedUserId?: string;
  /** Whose profile and recommendations the object last asked the collector for (`user:<id>` / `device:<id>`). */
  reads?: { profile: string; recs: string };
  /** When the object deletes its storage (expiry.ts), on the edge's clock. */
  expiresAt?: number;
}

const STATE_KEY = 'visitor';

export class VisitorDO extends DurableObject<EdgeBindings> {
  private readonly outbox = new Outbox({
    storage: this.ctx.storage,
    secret: () => requireRelaySecret(edgeConfig(this.env)),
    now: () => Date.now(),
    fetch: (input, init) => fetch(input, init),
    wakeAt: (atMs) => wakeNoLaterThan(this.ctx.storage, atMs),
    observeDepth: (depth, collectorUrl) => {
      const now = Date.now();
      degradationOf(collectorUrl, now).outbox.record(depth, now);
    },
  });

  /** Each object keeps its own: a KV read in flight must not be shared across objects' request contexts. */
  private readonly rules = rulesStore(this.env.RULES, { background: (work) => this.ctx.waitUntil(work) });

  /** The stored state, read when the object wakes; afterwards this copy is the truth and storage follows it. */
  private state: VisitorState | undefined;
  private reads: { collectorUrl: string; reads: VisitorReads } | undefined;
  /** The rules document of the last decision, which the expiry's cooldowns are counted by. */
  private lastRules: RulesDocument | undefined;

  async visit(input: VisitInput): Promise<VisitOutcome> {
    // The edge's clock, not the batch's receivedAt: the signals' windows are of this isolate's time.
    const now = Date.now();
    const degradation = degradationOf(input.relay.collectorUrl, now);
    degradation.requests.count(now);
    // This visitor's backlog is seen at its visit, not only when its outbox moves: a retry backing off for a minute
    // would otherwise let the level come back up while the batches still wait.
    degradation.outbox.record(await this.outbox.depth(), now);
    const inForce = degradation.levelAt(now, input.degrade ?? edgeConfig(this.env).degradePolicy);
    this.pollUpstream(degradation, input.relay.collectorUrl, now);
    const state = await this.loaded();
    const limit = rateLimitOf(this.env);
    const rate = taken(state.rate, input.receivedAt, limit.windowMs);
    if (rate.events + input.events.length > limit.events) {
      // Nothing of the batch is taken: the SDK keeps it and comes back after the window.
      return { outcome: 'limited', retryAfterS: Math.max(1, Math.ceil((rate.windowStart + limit.windowMs - input.receivedAt) / 1000)) };
    }
    // Before anything is folded or kept: a user id stays only when this visitor verified it.
    const identity = applyIdentity(input.events, input.identities ?? [], state.verifiedUserId);
    const previous = state.session;
    const folded = foldEvents(previous, identity.events, input.receivedAt, sessionIdFor(identity.events, previous));
    if (folded === undefined) throw new Error('a visit needs at least one event');
    const session = input.bot && !folded.bot ? { ...folded, bot: true } : folded;
    // Taken means kept until the collector has it: nothing of the batch is taken while the outbox is full.
    if (!(await this.outbox.hasRoom())) {
      degradation.outbox.record(OUTBOX_LIMIT, now);
      this.ctx.waitUntil(this.outbox.drain());
      return { outcome: 'outbox_full' };
    }
    state.rate = { windowStart: rate.windowStart, events: rate.events + input.events.length };
    if (identity.verifiedUserId !== undefined) state.verifiedUserId = identity.verifiedUserId;
    if (previous !== undefined && previous.id !== session.id) state.baseline = baselineWith(state.baseline, previous);
    if (state.shownIn !== session.id) {
      state.shown = {};
      state.shownIn = session.id;
    }
    state.session = session;
    const { relay } = input;
    const reads = this.readsFor(relay.collectorUrl);
    // workerd moves its clock only across I/O: this measures the waits of a decision (the first rules read), not its CPU time.
    const decideStart = Date.now();
    const allows = levelAllows(inForce.level);
    // At data_only nothing is decided (no rules, no reads): the batch is only kept and relayed.
    const { actions, variants } = allows.decisions
      ? await this.decideFor(state, session, input.anonymousId, input.receivedAt, session.lastPageUrl, reads, true, allows)
      : { actions: [], variants: {} };
    const decideMs = Date.now() - decideStart;
    // The batch goes into the outbox with what was decided for it, so the data holds what the page was shown.
    const decisions = actions.slice(0, MAX_RELAYED_DECISIONS).map((action) => decidedOf(action, input.receivedAt, crypto.randomUUID()));
    const entry = {
      ...relay,
      receivedAt: input.receivedAt,
      events: stamped(identity.events, session.id),
      decisions,
      decideMs,
      level: inForce.level,
      ...(input.device !== undefined ? { device: input.device } : {}),
    };
    // Nothing waits between numbering the batch and storing it (at data_only no decision read the rules yet): batches
    // are stored in the order they were numbered.
    this.lastRules ??= (await this.rules.current()).rules;
    const slot = await this.outbox.reserve(entry);
    if (slot === undefined) {
      // Filled by a batch that came in meanwhile: forget this one's changes, the stored state is the truth again.
      degradation.outbox.record(OUTBOX_LIMIT, now);
      this.state = undefined;
      this.ctx.waitUntil(this.outbox.drain());
      return { outcome: 'outbox_full' };
    }
    // The batch and the state it changed in one write, stored before the answer: an accepted batch is never lost.
    await this.store(state, input.receivedAt, slot);
    const outboxDepth = this.outbox.taken(slot);
    // Relayed after the answer; a relay that fails waits for the alarm, or for the next visit.
    this.ctx.waitUntil(this.outbox.drain());
    return {
      outcome: 'taken',
      sessionId: session.id,
      actions,
      variants,
      bot: session.bot === true,
      outboxDepth,
      ...(identity.verdict !== undefined ? { identity: identity.verdict } : {}),
      ...levelFields(inForce),
    };
  }

  /**
   * The decision for a page about to be rendered on a server (`GET /v1/decide`):
   * the open session as it is (not extended), the page named by `url`. Only
   * when the server says it rendered the actions (`rendered`) are they counted
   * as shown and the variants kept; otherwise it is worked out on a copy and
   * nothing is stored, read or scheduled.
   */
  async decideNow(input: DecideInput): Promise<PageDecision> {
    const config = edgeConfig(this.env);
    const now = Date.now();
    const degradation = degradationOf(input.collectorUrl ?? config.collectorUrl, now);
    const inForce = degradation.levelAt(now, input.degrade ?? config.degradePolicy);
    const allows = levelAllows(inForce.level);
    const stored = await this.loaded();
    if (!allows.decisions) {
      const open = stored.session !== undefined && !sessionExpired(stored.session, input.nowMs) ? stored.session.id : undefined;
      return { sessionId: open, actions: [], variants: {}, ...levelFields(inForce) };
    }
    const state = input.rendered ? stored : structuredClone(stored);
    const live = state.session !== undefined && !sessionExpired(state.session, input.nowMs) ? state.session : undefined;
    if (live === undefined) state.shown = {};
    const session = live ?? emptyOpenSession({ id: 'no-session', startedAt: input.nowMs, lastActivityAt: input.nowMs }, input.url);
    const reads = input.collectorUrl === undefined ? undefined : this.readsFor(input.collectorUrl);
    const { actions, variants } = await this.decideFor(state, session, input.anonymousId, input.nowMs, input.url, reads, input.rendered, allows);
    if (input.rendered) await this.store(state, input.nowMs);
    return { sessionId: live?.id, actions, variants, ...levelFields(inForce) };
  }

  /** Admin: deletes the visitor's storage and alarm and forgets it; whether there was anything to delete. */
  async erase(): Promise<{ held: boolean }> {
    const held = (await this.ctx.storage.list({ limit: 1 })).size > 0;
    await this.forget();
    return { held };
  }

  /** Admin: what is stored, read without creating anything. */
  async inspect(): Promise<VisitorInspection> {
    const exists = (await this.ctx.storage.list({ limit: 1 })).size > 0;
    const state = (await this.ctx.storage.get<VisitorState>(STATE_KEY)) ?? null;
    return { exists, state, outboxDepth: exists ? await this.outbox.depth() : 0 };
  }

  /**
   * Variants, signals and the rules' decision for `session` on `pageUrl`, with what the level in force `allows`
   * (popularity for recommendations from `popularity` on, no profile from `live_only` on); records in `state` what
   * is shown and assigned, and (when `refresh`) starts the reads the level allows.
   */
  private async decideFor(
    state: VisitorState,
    session: OpenSession,
    anonymousId: string,
    nowMs: number,
    pageUrl: string,
    reads: VisitorReads | undefined,
    refresh: boolean,
    allows: LevelAllows,
  ) {
    const { variants, kept } = variantsOf(experimentsOf(this.env.EXPERIMENTS), anonymousId, state.assignments);
    const { rules } = await this.rules.current();
    // The verified user's profile and recommendations, else the device's own: never a user's on the browser's word.
    const subject: ReadSubject = state.verifiedUserId !== undefined ? { kind: 'user', id: state.verifiedUserId } : { kind: 'device', id: anonymousId };
    const known = reads?.snapshot(nowMs, subject, allows);
    // The page, and the product looked at last (the storefront shows products in place).
    const lastProduct = session.productsViewed.at(-1);
    const page = { url: pageUrl, path: pathOf(pageUrl), productId: lastProduct?.id, category: lastProduct?.category };
    const profile = known?.profile;
    const result = decide(
      rules,
      {
        signals: signalsOf(session, nowMs, profile?.baseline ?? state.baseline),
        ...(profile !== undefined ? { profile } : {}),
        ...(known?.inStock !== undefined ? { inStock: known.inStock } : {}),
        page,
        variants,
      },
      { shown: state.shown, nowMs },
    );
    for (const failure of result.errors) console.error(`rule ${failure.ruleId} failed: ${failure.reason}`);
    const actions = withItems(result.actions, known, page);
    // A recs action with nothing to show yet is not sent, and its rule does not count as shown.
    const fired = result.fired.filter((ruleId) => actions.some((action) => action.ruleId === ruleId));
    state.assignments = kept;
    state.shown = recordShown(state.shown, fired, nowMs);
    if (refresh && reads !== undefined && session.id !== 'no-session') {
      const wants = {
        subject,
        sessionId: session.id,
        productId: page.productId,
        stockIds: [...offeredProductIds(rules.rules), ...(page.productId !== undefined ? [page.productId] : []), ...Object.keys(session.cart)],
      };
      state.reads = { profile: subjectKey(subject), recs: subjectKey(subject) };
      this.ctx.waitUntil(reads.refresh(wants, () => Date.now(), allows));
    }
    this.lastRules = rules;
    return { actions, variants };
  }

  private async loaded(): Promise<VisitorState> {
    this.state ??= (await this.ctx.storage.get<VisitorState>(STATE_KEY)) ?? { shown: {}, assignments: {} };
    return this.state;
  }

  /**
   * Stores the state with the time it expires, and with it a batch's outbox `slot` when there is one, and makes
   * sure the alarm comes by then (the expiry, or the slot's wake-up if sooner). One `put` of every key and at most
   * one `setAlarm`, issued with no wait between them: the storage commits them as one write (its write coalescing),
   * and the object's output gate holds the answer until it is durable.
   */
  private async store(state: VisitorState, nowMs: number, slot?: OutboxSlot): Promise<void> {
    const rules = this.lastRules ?? (await this.rules.current()).rules;
    state.expiresAt = expiresAt(state, rules, nowMs, edgeConfig(this.env).visitorRetainMs);
    this.state = state;
    const wakeAt = slot === undefined ? state.expiresAt : Math.min(slot.wakeAt, state.expiresAt);
    const alarm = await this.ctx.storage.getAlarm();
    const writes = [this.ctx.storage.put({ ...slot?.writes, [STATE_KEY]: state })];
    if (alarm === null || wakeAt < alarm) writes.push(this.ctx.storage.setAlarm(wakeAt));
    await Promise.all(writes);
  }

  /** Deletes everything the object stored, its alarm too, and what it kept in memory. */
  private async forget(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.state = undefined;
    this.reads = undefined;
    this.outbox.forget();
  }

  /** The reads of this visitor, or none when no read secret is configured (decisions on the session alone). */
  private readsFor(collectorUrl: string): VisitorReads | undefined {
    const config = edgeConfig(this.env);
    if (config.readSecret === null) return undefined;
    if (this.reads?.collectorUrl !== collectorUrl) {
      const target = {
        collectorUrl,
        secret: config.readSecret,
        timeoutMs: config.readTimeoutMs,
        fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
        // The edge's read_p99_ms and read_failure_share.
        observe: (ms: number, ok: boolean) => {
          const now = Date.now();
          degradationOf(collectorUrl, now).reads.record(ms, ok, now);
        },
      };
      this.reads = { collectorUrl, reads: new VisitorReads(target) };
    }
    return this.reads.reads;
  }

  /** Asks the collector for the central parts' level when a poll is due (at most once per 2 s per isolate), after the answer. */
  private pollUpstream(degradation: EdgeDegradation, collectorUrl: string, now: number): void {
    if (!degradation.upstream.due(now)) return;
    const config = edgeConfig(this.env);
    if (config.readSecret === null) return;
    const target = { collectorUrl, secret: config.readSecret, timeoutMs: config.readTimeoutMs, fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init) };
    const poll = degradation.upstream.poll(target, () => Date.now());
    if (poll !== undefined) this.ctx.waitUntil(poll);
  }

  /**
   * The one alarm: the outbox's retry and the visitor's expiry. The outbox
   * is relayed first; the storage goes only once nothing waits in it and the
   * expiry has come, else the alarm is set again for what is next.
   */
  override async alarm(): Promise<void> {
    await this.outbox.drain();
    const expires = (await this.ctx.storage.get<VisitorState>(STATE_KEY))?.expiresAt;
    if ((await this.outbox.depth()) > 0) {
      // A failed relay has set the retry; an expiry that has come waits for it (set again, it would wake the object at once, over and over).
      if (expires !== undefined && expires > Date.now()) await wakeNoLaterThan(this.ctx.storage, expires);
      return;
    }
    if (expires === undefined || expires <= Date.now()) await this.forget();
    else await wakeNoLaterThan(this.ctx.storage, expires);
  }
}

/** The level in force as a decision reports it. */
function levelFields(inForce: LevelInForce): { level: Level; levelReason?: string } {
  return inForce.reason === undefined ? { level: inForce.level } : { level: inForce.level, levelReason: inForce.reason };
}

/** The events already taken in the window `nowMs` falls in (fixed windows). */
function taken(rate: VisitorState['rate'], nowMs: number, windowMs: number): { windowStart: number; events: number } {
  return rate !== undefined && nowMs - rate.windowStart < windowMs ? rate : { windowStart: nowMs, events: 0 };
}

/**
 * The id a new session takes: the SDK's own when it is new to this object, so
 * the browser and the edge name the session alike; the edge's when the SDK
 * still uses the id of a session the edge has closed (its clock, its gap).
 */
function sessionIdFor(events: readonly SessionflowEvent[], previous: OpenSession | undefined): () => string {
  const proposed = events[0]?.sessionId;
  return () => (proposed !== undefined && proposed !== previous?.id ? proposed : crypto.randomUUID());
}

/** The events as relayed: the edge's session id is the authoritative one. */
function stamped(events: SessionflowEvent[], sessionId: string): SessionflowEvent[] {
  return events.some((event) => event.sessionId !== sessionId) ? events.map((event) => ({ ...event, sessionId })) : events;
}

/** Recs actions get their items; one with none to show is left out. */
function withItems(decisions: Decision[], known: ReadSnapshot | undefined, page: { productId?: string | undefined; category?: string | undefined }): EdgeAction[] {
  return decisions.flatMap((decision): EdgeAction[] => {
    if (decision.kind !== 'recs') return [decision];
    const items = known?.recsFor(decision.strategy, page, decision.limit ?? DEFAULT_RECS_LIMIT);
    return items === undefined ? [] : [{ ...decision, items }];
  });
}

const DEFAULT_RECS_LIMIT = 4;

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '/';
  }
}
