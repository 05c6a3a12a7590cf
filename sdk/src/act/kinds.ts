/** The kinds of action the SDK renders itself (src/act/render.ts); any other is the site's, through `on('action')`. */
export const RENDERED_KINDS: readonly string[] = ['banner', 'recs'];
