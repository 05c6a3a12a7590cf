/**
 * Node's adapter for core's `HmacCrypto`, on `node:crypto`. WebCrypto in Node
 * imports the key on every call and runs each HMAC as a job on the thread pool;
 * at thousands of relay batches per second that cost more than everything else
 * the collector does per request. Here the key is imported once per secret and
 * the MAC is computed inline; the comparison stays constant-time.
 */
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { HmacCrypto } from '@sessionflow/core';

export function nodeHmacCrypto(): HmacCrypto {
  const keys = new WeakMap<Uint8Array, KeyObject>();
  const mac = (key: KeyObject, data: Uint8Array) => createHmac('sha256', key).update(data).digest();
  return {
    importKey(_format, keyData) {
      let key = keys.get(keyData);
      if (!key) {
        key = createSecretKey(keyData);
        keys.set(keyData, key);
      }
      return Promise.resolve(key);
    },
    sign(_algorithm, key: KeyObject, data) {
      const digest = mac(key, data);
      return Promise.resolve(digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer);
    },
    verify(_algorithm, key: KeyObject, signature, data) {
      const digest = mac(key, data);
      return Promise.resolve(digest.length === signature.length && timingSafeEqual(digest, signature));
    },
  };
}
