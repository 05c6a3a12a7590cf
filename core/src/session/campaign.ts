/**
 * The campaign a visit came from, as far as the session definition cares: the
 * `utm_source` / `utm_medium` / `utm_campaign` of the landing URL. Visits that
 * name no campaign (internal links, typed URLs) give undefined and so never
 * split a session; ad click ids (gclid and the like) are left to the pipeline.
 * Takes the URL's query as anything with `get` (a URLSearchParams), so core
 * needs no URL parser of its own.
 */
export interface QueryParams {
  get(name: string): string | null;
}

export function campaignOf(query: QueryParams): string | undefined {
  const parts = ['source', 'medium', 'campaign'].map((name) => query.get(`utm_${name}`)?.trim() ?? '');
  return parts.join('') ? parts.join('/').slice(0, 256) : undefined;
}
