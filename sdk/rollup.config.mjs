// One config, two builds (STYLE.md 7): the ESM package for bundlers and the
// script-tag IIFE. Both bundle the few pure pieces of @sessionflow/core they use.
import { nodeResolve } from '@rollup/plugin-node-resolve';
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

export default [
  {
    input: 'src/index.ts',
    output: { file: 'dist/index.js', format: 'es', sourcemap: true },
    plugins: [nodeResolve(), compile()],
  },
  {
    input: 'src/browser.ts',
    output: { file: 'dist/sessionflow.min.js', format: 'iife', sourcemap: true },
    plugins: [nodeResolve(), compile(), terser({ ecma: 2020, compress: { passes: 3 }, format: { comments: false } })],
  },
];
