/** Whether an event is an experiment's conversion event: same type and, when the configuration names one, same track name. */
import type { SessionflowEvent } from '@sessionflow/core';
import type { ConversionEvent } from './config.js';

export function isConversion(event: SessionflowEvent, conversion: ConversionEvent): boolean {
  if (event.type !== conversion.type) return false;
  return conversion.name === undefined || (event.type === 'track' && event.name === conversion.name);
}
