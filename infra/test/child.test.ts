import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { startChild, stopAllChildren, waitUntil } from '../src/process/child.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('stop() ends the child and the processes it started, and its output is in the log', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sf-child-'));
  const pidFile = path.join(dir, 'grandchild.pid');
  const child = startChild({
    name: 'sleeper',
    command: 'sh',
    args: ['-c', `echo started; sleep 300 & echo $! > ${pidFile}; wait`],
    logFile: path.join(dir, 'sleeper.log'),
  });
  await waitUntil('grandchild', async () => readFileSync(pidFile, 'utf8').trim().length > 0, { timeoutMs: 5000, intervalMs: 20 });
  const grandchild = Number(readFileSync(pidFile, 'utf8'));
  expect(alive(grandchild)).toBe(true);

  await child.stop(2000);
  expect(child.isRunning()).toBe(false);
  await waitUntil('grandchild gone', async () => !alive(grandchild), { timeoutMs: 5000, intervalMs: 20 });
  expect(readFileSync(path.join(dir, 'sleeper.log'), 'utf8')).toContain('started');
});

test('waitUntil fails early, naming the log, when the child exits before it is ready', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sf-child-'));
  const child = startChild({ name: 'quitter', command: 'sh', args: ['-c', 'exit 3'], logFile: path.join(dir, 'q.log') });
  await expect(waitUntil('service', async () => false, { timeoutMs: 10_000, child })).rejects.toThrow(/quitter exited before it was ready; see .*q\.log/);
  expect(await child.exited).toBe(3);
});

test('stopAllChildren stops every child still running (an interrupted command), and leaves none behind', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sf-child-'));
  const children = ['one', 'two'].map((name) => startChild({ name, command: 'sh', args: ['-c', 'sleep 300'], logFile: path.join(dir, `${name}.log`) }));
  const done = startChild({ name: 'done', command: 'sh', args: ['-c', 'exit 0'], logFile: path.join(dir, 'done.log') });
  await done.exited;
  expect(children.map((c) => alive(c.pid))).toEqual([true, true]);
  await stopAllChildren(2000);
  expect(children.map((c) => c.isRunning())).toEqual([false, false]);
  await waitUntil('children gone', async () => children.every((c) => !alive(c.pid)), { timeoutMs: 5000, intervalMs: 20 });
});
