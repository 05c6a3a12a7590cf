/** `npm run kafka:fetch`: resolves Kafka's jars now (CI does this before the tests). */
import { ensureKafkaJars, kafkaLibDir } from './jars.js';

await ensureKafkaJars((line) => console.log(line));
console.log(`kafka jars ready in ${kafkaLibDir()}`);
