/**
 * The aggregates stage's identity part of a profile: which devices its events
 * came from, and its user id (the canonical id once the device is linked,
 * whether or not the event itself named it, as a prefix record does not).
 */
import type { StoreKeys } from '../../store/keys.js';
import type { RedisCommand } from '../commands.js';
import type { ByUserEvent } from './records.js';

export function profileIdentityCommands(event: ByUserEvent, profile: string, keys: StoreKeys): RedisCommand[] {
  const commands: RedisCommand[] = [['SADD', keys.profileDevices(profile), event.anonymousId]];
  const userId = event.canonicalId !== undefined && event.canonicalId !== event.anonymousId ? event.canonicalId : event.userId;
  if (userId !== undefined) commands.push(['HSET', keys.profile(profile), 'userId', userId]);
  return commands;
}
