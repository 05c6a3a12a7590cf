/**
 * Side effect only: installs the kafkajs fast paths, or throws when they
 * cannot take effect any more. The producer thread and the pipeline import
 * this before anything that loads kafkajs (see kafkajs-fast-paths.ts).
 */
import { installKafkajsFastPaths, requireFastPaths } from './kafkajs-fast-paths.js';

export const installedFastPaths = requireFastPaths(installKafkajsFastPaths());
