// One config, two builds (STYLE.md 7): the ESM package for bundlers and the
// script-tag IIFE. Both bundle the few pure pieces of @sessionflow/core they use.
// Code only some pages need (the built-in renderers of actions) is a file of its
// own in both: a chunk the ESM build imports dynamically (bundlers split it off),
// and `sessionflow.act.js` beside the script tag's file, which imports it from
// its own URL when the first action arrives (src/act/load-script-tag.ts).
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

// Rollup resolves modules itself, hence ESNext/bundler here; declarations come
// from `tsc -p tsconfig.build.json` after rollup.
const compile = () =>
  typescript({
    tsconfig: './tsconfig.build.json',
    module: 'esnext',
    moduleResolution: 'bundler',
    emitDeclarationOnly: false,
    declaration: false,
    sourceMap: true,
    outDir: 'dist',
  });

// `debug: true` logging is compiled out of the script tag's build (see src/debug/logger.ts).
const debugLogging = (on) => replace({ preventAssignment: true, values: { __SF_DEBUG__: String(on) } });
// Chosen by gzip size, which is what the script tag's budget counts (bench/src/sdk/size.ts):
// `inline: 1` leaves a single-use function that takes arguments as a function instead of
// unpacking its body into the caller (its parameters turned into `var`s), and `hoist_funs`
// puts function declarations at the top of their scope, where the language hoists them anyway.
// Neither changes what the code does; together they save about 30 bytes of gzip.
// `module` for the renderers' file, an ES module.
const minify = (module = false) =>
  terser({
    ecma: 2020,
    module,
    compress: { passes: 3, unsafe_arrows: true, pure_getters: true, inline: 1, hoist_funs: true },
    format: { comments: false },
  });

/** The script tag's builds load the renderers from the file beside them, not through a bundler's chunk. */
const renderersBesideScript = () => ({
  name: 'renderers-beside-script',
  resolveId(source, importer) {
    if (source === '../act/load.js') {
      return this.resolve(source.replace(/load\.js$/, 'load-script-tag.js'), importer, { skipSelf: true });
    }
    return null;
  },
});
const scriptTag = (file, debug) => ({
  input: 'src/browser.ts',
  output: { file, format: 'iife', sourcemap: true },
  plugins: [debugLogging(debug), renderersBesideScript(), nodeResolve(), compile(), minify()],
});

export default [
  {
    input: 'src/index.ts',
    // `allow-extension`: the renderers' chunk imports what it shares with the entry (the list of kinds it
    // renders) from index.js itself, rather than through a third file.
    preserveEntrySignatures: 'allow-extension',
    output: { dir: 'dist', entryFileNames: 'index.js', chunkFileNames: '[name].js', format: 'es', sourcemap: true },
    plugins: [debugLogging(true), nodeResolve(), compile()],
  },
  scriptTag('dist/sessionflow.min.js', false),
  scriptTag('dist/sessionflow.debug.js', true),
  // The renderers for the script tag (src/act/load-script-tag.ts imports it by this name): an ES module.
  {
    input: 'src/act/render.ts',
    output: { file: 'dist/sessionflow.act.js', format: 'es', sourcemap: true },
    plugins: [nodeResolve(), compile(), minify(true)],
  },
];
