/**
 * Verified identity through POST /v1/collect: only an identify whose token the
 * site's server signed links the visitor to a user, and only then does the
 * visitor object read that user's profile and recommendations. Every other
 * identify is relayed as a track of the claim, the answer says why, and
 * nothing of the user is read, relayed as theirs or kept. No token ever
 * leaves the edge.
 */
import { describe, expect, it } from 'vitest';
import { similarVisitor, viewClick, visitorEvent } from './events.js';
import { callEdge, collectRequest, eventually, identifyToken, inspectVisitor, relayedEvents, SITE_KEY, stubCollector, type TokenClaims } from './helpers.js';
import { TEST_SITE_SECRETS } from './shared.js';

const USER = 'user-u-1001';
const item = (id: string, category: string, score: number) => ({ id, name: `Product ${id}`, category, href: `/?product=${id}`, score });
/** What only U's profile and recommendations hold: none of it may reach another visitor. */
const U_ONLY = ['sku-u-viewed-1', 'sku-u-viewed-2', 'sku-u-recs-1', 'sku-u-recs-2'];
const READS = {
  profiles: {
    [`user:${USER}`]: {
      kind: 'user',
      id: USER,
      userId: USER,
      anonymousIds: ['anon-device-a-of-u'],
      sessions: 4,
      affinities: { lighting: 3 },
      recentlyViewed: ['sku-u-viewed-1', 'sku-u-viewed-2'],
      purchased: [],
      updatedAt: Date.now(),
    },
  },
  recsFor: { [`user:${USER}`]: { source: 'session', generatedAt: Date.now(), items: [item('sku-u-recs-1', 'lighting', 9), item('sku-u-recs-2', 'lighting', 8)] } },
  recs: { source: 'session', generatedAt: Date.now(), items: [item('sku-1002', 'lighting', 5), item('sku-1003', 'furniture', 4)] },
  popular: { source: 'popularity', generatedAt: Date.now(), items: [item('sku-1008', 'plants', 50), item('sku-1007', 'textiles', 40)] },
  inventory: {},
};

interface CollectAnswer {
  accepted: number;
  actions: unknown[];
  identity?: { verified: boolean; userId?: string; reason?: string };
}

type Relayed = Record<string, unknown> & { eventId: string; anonymousId: string; userId?: string; type: string };

async function collect(collectorUrl: string, events: Record<string, unknown>[], bindings: Record<string, unknown> = {}): Promise<CollectAnswer> {
  const res = await callEdge(collectRequest(JSON.stringify({ events })), { COLLECTOR_URL: collectorUrl, ...bindings });
  expect(res.status).toBe(200);
  return res.json<CollectAnswer>();
}

/** A fresh visitor on a product page, with a stub collector serving U's data to whoever asks for U. */
async function setUp() {
  const collector = stubCollector('ok');
  await collector.serveReads(READS);
  // Bucketed to `similar`: its recommendations are the list read for it, so whose list was read shows.
  const visitor = similarVisitor();
  const event = (type: string, extra: Record<string, unknown> = {}) => visitorEvent(visitor, type, Date.now(), extra);
  const productView = () => viewClick(event, 'sku-1001', 'lighting');
  return { collector, visitor, event, productView };
}

const relayedOf = async (collector: ReturnType<typeof stubCollector>, count: number) =>
  (await eventually(async () => relayedEvents(await collector.received()) as Relayed[], (events) => events.length >= count, 10_000)) as Relayed[];

const rawRelays = async (collector: ReturnType<typeof stubCollector>) => (await collector.received()).map((r) => atob(r.bodyBase64)).join('\n');

describe('an identify with a valid token', () => {
  it('links the visitor, reads the user\'s profile and recommendations, and relays no token', async () => {
    const { collector, visitor, event, productView } = await setUp();
    const token = await identifyToken({ sub: USER });
    const answer = await collect(collector.url, [event('identify', { userId: USER, traits: { plan: 'gold' }, token }), productView()]);
    expect(answer.identity).toEqual({ verified: true, userId: USER });

    const [identify] = await relayedOf(collector, 2);
    expect(identify).toMatchObject({ type: 'identify', userId: USER, traits: { plan: 'gold' } });
    expect(identify).not.toHaveProperty('token');
    expect(await rawRelays(collector)).not.toContain(token);

    const reads = await eventually(collector.reads, (r) => r.some((read) => read.path === `/v1/profile/user/${USER}`) && r.some((read) => read.query['user'] === USER), 10_000);
    expect(reads.some((read) => read.path.startsWith('/v1/profile/device/'))).toBe(false);
    const { state } = await inspectVisitor(visitor);
    expect(state).toMatchObject({ verifiedUserId: USER, reads: { profile: `user:${USER}`, recs: `user:${USER}` } });
    expect(JSON.stringify(state)).not.toContain(token);

    // Linked: the visitor's later events keep the user id, and U's list reaches its decisions.
    const later = await eventually(
      () => collect(collector.url, [productView()]),
      (a) => JSON.stringify(a.actions).includes('sku-u-recs-1'),
      10_000,
    );
    expect(later.identity).toBeUndefined();
    const identifiedAgain = await collect(collector.url, [event('identify', { userId: USER })]);
    // The user this visitor already proved to be: nothing new is linked, so no token is needed.
    expect(identifiedAgain.identity).toEqual({ verified: true, userId: USER });
  }, 30_000);

  it('is taken as sent on a site that trusts the client (development only), the token still dropped', async () => {
    const { collector, visitor, event } = await setUp();
    const sites = JSON.stringify({ [SITE_KEY]: { origins: ['http://localhost:8080'], identity: 'client' } });
    const answer = await collect(collector.url, [event('identify', { userId: USER, token: 'aaa.bbb.ccc' })], { SITES: sites });
    expect(answer.identity).toEqual({ verified: true, userId: USER });
    expect(await rawRelays(collector).then(async (raw) => raw || JSON.stringify(await relayedOf(collector, 1)))).not.toContain('aaa.bbb.ccc');
    expect((await inspectVisitor(visitor)).state?.verifiedUserId).toBe(USER);
  });
});

const OTHER_SITE_SECRET = 'identity-secret-of-another-site-0123456789';

describe.each([
  ['no token', undefined, 'token_missing'],
  ['a token signed for another user', { sub: 'user-somebody-else' }, 'token_subject'],
  ['an expired token', { sub: USER, expInS: -30 }, 'token_expired'],
  ['a token of another site (its secret, its audience)', { sub: USER, aud: 'other-site-key', secret: OTHER_SITE_SECRET }, 'token_audience'],
  ['a token of another site\'s secret naming this site', { sub: USER, secret: OTHER_SITE_SECRET }, 'token_invalid'],
  ['a token valid for two days', { sub: USER, expInS: 2 * 86_400 }, 'token_lifetime'],
] as [string, (TokenClaims & { secret?: string }) | undefined, string][])('an identify with %s', (_name, claims, reason) => {
  it(`names the reason (${reason}), links nothing, relays no user id and reads nothing of the user`, async () => {
    const { collector, visitor, event, productView } = await setUp();
    const token = claims === undefined ? undefined : await identifyToken(claims, claims.secret);
    const answer = await collect(collector.url, [event('identify', { userId: USER, traits: { email: 'u@example.com' }, ...(token !== undefined ? { token } : {}) }), productView()]);
    expect(answer.identity).toEqual({ verified: false, reason });

    const relayed = await relayedOf(collector, 2);
    expect(relayed[0]).toMatchObject({ type: 'track', name: 'identify_unverified', props: { claimedUserId: USER, reason } });
    expect(relayed[0]).not.toHaveProperty('traits');
    expect(relayed.filter((e) => e.userId !== undefined)).toEqual([]);
    const raw = await rawRelays(collector);
    if (token !== undefined) expect(raw).not.toContain(token);
    expect(raw).not.toContain('u@example.com');

    // The object does read, for the device: what it read is the device's, never U's.
    await eventually(collector.reads, (r) => r.some((read) => read.path === `/v1/profile/device/${visitor}`) && r.some((read) => read.query['device'] === visitor), 10_000);
    // A later event claiming U: its user id is dropped, and the answer says it is not verified.
    const claiming = await collect(collector.url, [{ ...productView(), userId: USER }]);
    expect(claiming.identity).toEqual({ verified: false, reason: 'not_verified' });
    expect(JSON.stringify(claiming)).not.toMatch(new RegExp(U_ONLY.join('|')));
    const reads = await collector.reads();
    expect(reads.filter((read) => read.path.includes('/user/') || read.query['user'] !== undefined)).toEqual([]);
    const all = await relayedOf(collector, 3);
    expect(all.filter((e) => e.userId !== undefined)).toEqual([]);

    const { state } = await inspectVisitor(visitor);
    expect(state).not.toHaveProperty('verifiedUserId');
    expect(state?.reads).toEqual({ profile: `device:${visitor}`, recs: `device:${visitor}` });
    expect(state?.session).not.toHaveProperty('userId');
  }, 30_000);
});

describe('a site without an identity secret', () => {
  it('links nothing and says identity is not configured', async () => {
    const { collector, visitor, event } = await setUp();
    const secrets = JSON.stringify({ [SITE_KEY]: { server: TEST_SITE_SECRETS[SITE_KEY].server } });
    const answer = await collect(collector.url, [event('identify', { userId: USER, token: await identifyToken({ sub: USER }) })], { SITE_SECRETS: secrets });
    expect(answer.identity).toEqual({ verified: false, reason: 'identity_not_configured' });
    expect((await inspectVisitor(visitor)).state).not.toHaveProperty('verifiedUserId');
  });
});
