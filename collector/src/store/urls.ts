/**
 * What `REDIS_URL` may say: one `redis://` (or `rediss://`) URL, a single
 * Redis or any node of a Redis Cluster, or several comma-separated ones, the
 * root nodes of a cluster (client.ts `createStoreClient`).
 */

/** The URLs of `raw`; throws naming `name` and the bad part when one is not a redis:// URL. */
export function storeUrls(raw: string, name = 'REDIS_URL'): string[] {
  const urls = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (urls.length === 0) throw new Error(`${name} must be a URL such as redis://127.0.0.1:6379, or several separated by commas (a Redis Cluster's nodes)`);
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`${name} must be a URL such as redis://127.0.0.1:6379, or several separated by commas (got "${url}")`);
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error(`${name} must start with redis:// or rediss:// (got "${url}")`);
  }
  return urls;
}
