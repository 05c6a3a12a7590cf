import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { freePort } from '../src/process/ports.js';
import { startConsoleProcess } from '../src/services/console.js';
import type { HttpService } from '../src/services/http-service.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sf-console-'));
let service: HttpService | undefined;

afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the console part runs the built console with the secrets it is given, behind its login', async () => {
  const logFile = path.join(dir, 'console.log');
  const adminSecret = 'infra-test-admin-secret-0123456789abcdef0123';
  service = await startConsoleProcess({
    port: await freePort(),
    collectorUrl: `http://127.0.0.1:${await freePort()}`,
    readSecret: 'infra-test-read-secret-0123456789abcdef01234',
    adminSecret,
    logFile,
  });
  const page = await fetch(`${service.url}/`, { redirect: 'manual' });
  expect(page.status).toBe(303);
  expect(page.headers.get('location')).toBe('/login?next=%2F');
  const login = await fetch(`${service.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: service.url },
    body: new URLSearchParams({ secret: adminSecret }).toString(),
  });
  expect(login.status).toBe(303);
  expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/i);
  expect(readFileSync(logFile, 'utf8')).toContain(`console: on ${service.url}/`);
});
