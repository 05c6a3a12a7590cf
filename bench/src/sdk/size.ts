/**
 * Transfer size as a script costs it: minified, then gzip at level 9, the
 * way a CDN serves it. Our IIFE ships minified; the ESM entry is bundled with
 * its dependencies and minified here with the same terser settings as the
 * SDK's own rollup config, so the two figures compare.
 */
import { gzipSync } from 'node:zlib';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terserPlugin from '@rollup/plugin-terser';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';

export function gzipBytes(code: string | Buffer): number {
  return gzipSync(code, { level: 9 }).length;
}

// The plugin's types describe its CommonJS build; under Node's ESM resolution
// the default export is the plugin function itself.
const terser = terserPlugin as unknown as typeof terserPlugin.default;

/** The terser settings of sdk/rollup.config.mjs. */
const minify = (module: boolean) => terser({ ecma: 2020, module, compress: { passes: 3 }, format: { comments: false } });

async function build(input: RollupOptions, output: OutputOptions): Promise<string> {
  // What the code imports dynamically (the SDK's renderers of actions) is counted in: the figure is the whole API.
  output = { inlineDynamicImports: true, ...output };
  const warnings: string[] = [];
  const bundle = await rollup({ ...input, onwarn: (warning) => warnings.push(warning.message) });
  try {
    const { output: chunks } = await bundle.generate(output);
    const chunk = chunks.find((c) => c.type === 'chunk');
    if (chunks.length !== 1 || chunk === undefined) {
      throw new Error(`bundling ${String(input.input)} gave ${chunks.length} files, expected one chunk`);
    }
    return chunk.code;
  } finally {
    await bundle.close();
  }
}

/**
 * What a bundler ships for `import { … } from '@sessionflow/sdk'` when the
 * whole API is used: the ESM entry with every dependency resolved into it
 * (browser fields first) and what it imports dynamically (a bundler splits
 * that off into a chunk of its own; here it is counted in), minified.
 */
export function bundleEsm(entry: string): Promise<string> {
  return build({ input: entry, plugins: [nodeResolve({ browser: true })] }, { format: 'es', plugins: [minify(true)] });
}

/**
 * A script-tag build that its package ships unminified, minified the way ours
 * is. It is a classic script, so its top-level `this` stays the global object
 * and no strict mode is added.
 */
export function minifyScript(file: string): Promise<string> {
  return build({ input: file, context: 'globalThis', treeshake: false }, { format: 'iife', strict: false, plugins: [minify(false)] });
}
