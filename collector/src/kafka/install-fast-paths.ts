/**
 * Side effect only: installs the kafkajs fast paths. The producer thread
 * imports this before anything that loads kafkajs, which is when they can
 * still take effect (see kafkajs-fast-paths.ts).
 */
import { installKafkajsFastPaths } from './kafkajs-fast-paths.js';

export const installedFastPaths = installKafkajsFastPaths();
