/**
 * Ids that cannot alias. A user id comes from the site and an anonymous id
 * from the browser; both end up in Redis keys and Kafka keys beside each
 * other. Two rules keep one from ever naming another's state:
 *
 * - separate namespaces: a profile is referred to as `u:<user id>` or
 *   `a:<anonymous id>`, so a user who picks another device's anonymous id as
 *   their user id still names a different profile;
 * - escaping: every id placed in a key goes through `keyPart`, which leaves no
 *   `:` (the separator of key segments), no `{` or `}` (a Redis Cluster hash
 *   tag) and no `%` (its own escape) unescaped, so `X:affinities` names
 *   `u:X%3Aaffinities`, never X's affinities.
 *
 * The schema's character rule (USER_ID_PATTERN) is the first line; escaping
 * does not rely on it.
 */

/** What a user id may hold: what sites use (numbers, UUIDs, e-mail addresses, `auth0|…`), nothing that needs quoting in a log. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_.:@+|=-]+$/;
export const USER_ID_MAX_LENGTH = 128;

/** What a user id may hold, in words, for error messages. */
export const USER_ID_RULE = `1 to ${USER_ID_MAX_LENGTH} of letters, digits and _ . : @ + | = -`;

export type ProfileKind = 'user' | 'device';

export interface ProfileRef {
  kind: ProfileKind;
  /** The raw id: a user id, or an anonymous id (a device). */
  id: string;
}

const PLAIN = /^[\x21-\x24\x26-\x39\x3b-\x7a\x7c\x7e]*$/;

/**
 * The id as one segment of a key: every character outside printable ASCII,
 * and `%`, `:`, `{`, `}`, as `%XX` of its UTF-8 bytes. Injective (`%` itself
 * is escaped), and the identity on the ids the SDK makes. A lone surrogate
 * (a string cut inside an emoji) is written as U+FFFD, as UTF-8 would.
 */
export function keyPart(value: string): string {
  if (PLAIN.test(value)) return value;
  let out = '';
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0x21 && code <= 0x7e && !ESCAPED.includes(char)) out += char;
    else if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) out += REPLACEMENT;
    else out += percentEncoded(char);
  }
  return out;
}

const ESCAPED = '%:{}';
const REPLACEMENT = '%EF%BF%BD';

/** `%XX` of the UTF-8 bytes of one code point (encodeURIComponent leaves a few ASCII marks as they are). */
function percentEncoded(char: string): string {
  const encoded = encodeURIComponent(char);
  return encoded.length === 1 ? `%${encoded.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : encoded;
}

/** The inverse of `keyPart`. */
export function fromKeyPart(part: string): string {
  return part.includes('%') ? decodeURIComponent(part) : part;
}

const PREFIX: Record<ProfileKind, string> = { user: 'u:', device: 'a:' };

/** The profile of a user id, as it appears in keys: `u:<id escaped>`. */
export const userRef = (userId: string): string => PREFIX.user + keyPart(userId);

/** The profile of a device (anonymous id), as it appears in keys: `a:<id escaped>`. */
export const deviceRef = (anonymousId: string): string => PREFIX.device + keyPart(anonymousId);

export const refOf = (ref: ProfileRef): string => (ref.kind === 'user' ? userRef(ref.id) : deviceRef(ref.id));

/** The canonical profile of an event: its user's once known, else its device's. */
export const canonicalRef = (userId: string | undefined, anonymousId: string): string => (userId !== undefined ? userRef(userId) : deviceRef(anonymousId));

/** Reads a ref back; undefined for a string that is not one. */
export function parseProfileRef(ref: string): ProfileRef | undefined {
  const kind: ProfileKind | undefined = ref.startsWith(PREFIX.user) ? 'user' : ref.startsWith(PREFIX.device) ? 'device' : undefined;
  if (kind === undefined) return undefined;
  const part = ref.slice(2);
  if (part.length === 0 || part.includes(':') || keyPart(safeDecode(part) ?? '\u0000') !== part) return undefined;
  return { kind, id: fromKeyPart(part) };
}

function safeDecode(part: string): string | undefined {
  try {
    return fromKeyPart(part);
  } catch {
    return undefined;
  }
}
