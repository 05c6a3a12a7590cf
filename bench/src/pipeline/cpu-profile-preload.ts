/**
 * Loaded into the pipeline process (`NODE_OPTIONS=--import=…`) when the bench
 * is asked for a CPU profile (BENCH_PIPELINE_CPU_PROF): Node 20 refuses
 * `--cpu-prof` in NODE_OPTIONS, and the pipeline's command line is infra's.
 * V8's profiler through the inspector; the profile is written to
 * SESSIONFLOW_CPU_PROFILE when the process exits (the pipeline exits on SIGTERM).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.SESSIONFLOW_CPU_PROFILE;
if (out) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // The main thread's own session answers synchronously, so this runs to the end inside 'exit'.
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(out, JSON.stringify(result.profile));
    });
  });
}
