// The single-page app (app/main.ts) with the SDK's ESM build from npm and the shop's views, bundled
// into dist/app/shop.js, which the server serves at /app/shop.js; what the SDK loads only when needed (its
// renderers of actions, a dynamic import) is split into dist/app/chunks/, served at /app/chunks/.
// dist/ is generated: git ignores it.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

export default {
  input: 'app/main.ts',
  output: { dir: 'dist/app', entryFileNames: 'shop.js', chunkFileNames: 'chunks/[name]-[hash].js', format: 'es', sourcemap: true },
  plugins: [
    nodeResolve({ browser: true }),
    typescript({ tsconfig: './tsconfig.app.json', noEmit: false, rootDir: '.', outDir: 'dist/app', declaration: false, sourceMap: true }),
    terser({ format: { comments: false } }),
  ],
};
