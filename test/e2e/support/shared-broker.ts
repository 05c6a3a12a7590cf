/** The broker the end-to-end run's files share (broker-setup.ts provides it; stack.ts injects it). */
import type { SharedBroker } from '@sessionflow/infra';

export const SHARED_BROKER = 'sessionflowE2eBroker';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Undefined when KAFKA_BROKERS names an existing broker, or outside the e2e config. */
    sessionflowE2eBroker: SharedBroker | undefined;
  }
}
