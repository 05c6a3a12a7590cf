/**
 * What validating one event costs, before and after issue 15, in one run and
 * in-process in Node (V8, as workerd): valibot's `safeParse` of core's
 * `EventSchema` (what `validateEvent` did before) against `validateEvent` now
 * (the check compiled at build time from the same schema, valibot only for
 * what it refuses). The events are the simulated shoppers' (visitors.ts), as
 * parsed JSON; both ways validate the same pool, in alternating rounds (the
 * order switching each round, so neither always runs on a warmer cache), and
 * each figure is the median over rounds of (round time / events).
 */
import { performance } from 'node:perf_hooks';
import { EventSchema, compiledEventCheck, validateEvent } from '@sessionflow/core';
import * as v from 'valibot';
import { simulatedVisitors } from './visitors.js';

export interface ValidationCostOptions {
  rounds: number;
  /** Events validated per round and way (the pool, cycled). */
  eventsPerRound: number;
}

export interface ValidationCostResult {
  /** Median µs per event: validateEvent now (compiled check first). */
  compiledUs: number;
  /** Median µs per event: valibot's safeParse alone, as before. */
  valibotUs: number;
  /** Events in the pool, and how many of them the compiled check took (else the figure is valibot's fallback). */
  pool: number;
  takenByCompiled: number;
  rounds: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function validationCost(o: ValidationCostOptions): ValidationCostResult {
  const visitors = simulatedVisitors(100);
  const pool: unknown[] = JSON.parse(JSON.stringify(visitors.flatMap((visitor) => [...visitor.next(5), ...visitor.next(5), ...visitor.next(5), ...visitor.next(5)])));
  const refused = pool.filter((event) => !validateEvent(event).ok).length;
  if (refused > 0) throw new Error(`${refused} simulated events do not validate: the figure would time error answers`);
  let sink = 0;
  const ways = {
    compiled: () => {
      for (let i = 0; i < o.eventsPerRound; i++) if (validateEvent(pool[i % pool.length]).ok) sink++;
    },
    valibot: () => {
      for (let i = 0; i < o.eventsPerRound; i++) if (v.safeParse(EventSchema, pool[i % pool.length], { abortPipeEarly: true }).success) sink++;
    },
  };
  // Warm-up: both ways reach V8's optimizing tier before anything is timed.
  ways.compiled();
  ways.valibot();
  const samples: Record<keyof typeof ways, number[]> = { compiled: [], valibot: [] };
  for (let round = 0; round < o.rounds; round++) {
    const order: (keyof typeof ways)[] = round % 2 === 0 ? ['compiled', 'valibot'] : ['valibot', 'compiled'];
    for (const way of order) {
      const start = performance.now();
      ways[way]();
      samples[way].push(((performance.now() - start) * 1000) / o.eventsPerRound);
    }
  }
  if (sink !== (o.rounds + 1) * 2 * o.eventsPerRound) throw new Error('an event stopped validating during the run');
  return {
    compiledUs: median(samples.compiled),
    valibotUs: median(samples.valibot),
    pool: pool.length,
    takenByCompiled: pool.filter((event) => compiledEventCheck(event)).length,
    rounds: o.rounds,
  };
}
