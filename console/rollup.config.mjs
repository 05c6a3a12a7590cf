// The console's one client script: src/client (with uPlot) bundled for the browser.
// The server is compiled by tsc (tsconfig.build.json); rollup runs after it.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

export default {
  input: 'src/client/main.ts',
  output: { file: 'dist/public/console.js', format: 'iife', sourcemap: true },
  plugins: [
    nodeResolve({ browser: true }),
    typescript({ tsconfig: './tsconfig.client.json', noEmit: false, sourceMap: true, outDir: 'dist/public', declaration: false }),
    terser({ format: { comments: false } }),
  ],
};
