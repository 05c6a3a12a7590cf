/**
 * Kafka's jars, resolved from Maven Central by Maven from infra/kafka/pom.xml
 * (which pins the version) into .cache/kafka-<version>/libs. Resolved once;
 * later runs find the marker file and start at once.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cacheDir, repoRoot } from '../paths.js';

export const kafkaPom = path.join(repoRoot, 'infra', 'kafka', 'pom.xml');

/** The pinned version, read from the pom so there is one place to change it. */
export function kafkaVersion(): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(kafkaPom, 'utf8'));
  if (!match?.[1]) throw new Error(`no <kafka.version> in ${kafkaPom}`);
  return match[1];
}

export function kafkaLibDir(version = kafkaVersion()): string {
  return path.join(cacheDir, `kafka-${version}`, 'libs');
}

/** Returns the folder of jars, running Maven first if they are not there yet. */
export async function ensureKafkaJars(log: (line: string) => void = () => {}): Promise<string> {
  const version = kafkaVersion();
  const libs = kafkaLibDir(version);
  const marker = path.join(libs, '.complete');
  if (existsSync(marker)) return libs;
  mkdirSync(libs, { recursive: true });
  log(`resolving Apache Kafka ${version} from Maven Central into ${path.relative(repoRoot, libs)} (once)…`);
  const args = [
    '-B',
    '-q',
    '-f',
    kafkaPom,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${libs}`,
    '-DincludeScope=runtime',
  ];
  const code = await new Promise<number>((resolve, reject) => {
    const mvn = spawn('mvn', args, { stdio: ['ignore', 'inherit', 'inherit'] });
    mvn.once('error', (err) => reject(new Error(`could not run mvn (is Maven installed?): ${err.message}`)));
    mvn.once('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`mvn dependency:copy-dependencies failed with exit code ${code}`);
  writeFileSync(marker, `${version}\n`);
  return libs;
}
