/**
 * Bearer secrets: the site's server secret (collects without an Origin,
 * `GET /v1/decide`) and the admin secret. Compared in constant time, over
 * SHA-256 digests so not even the length leaks.
 */

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerOf(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

const digest = async (value: string): Promise<ArrayBuffer> => crypto.subtle.digest('SHA-256', new TextEncoder().encode(value));

/** Whether `presented` is `secret`, in time that does not depend on where they differ. */
export async function sameSecret(presented: string | undefined, secret: string | undefined): Promise<boolean> {
  if (presented === undefined || secret === undefined) return false;
  const [a, b] = await Promise.all([digest(presented), digest(secret)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** Whether `presented` is any of `secrets` (each compared in constant time). */
export async function anySecret(presented: string | undefined, secrets: readonly (string | undefined)[]): Promise<boolean> {
  const matches = await Promise.all(secrets.map((secret) => sameSecret(presented, secret)));
  return matches.includes(true);
}
