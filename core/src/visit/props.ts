/**
 * Reads the few `track` props the open session understands. Props are the
 * site's free-form data, so anything not of the expected shape reads as absent.
 */
type Props = Readonly<Record<string, unknown>> | undefined;

const MAX_NAME = 128;

/** A non-empty string of at most 128 characters (what the schema allows for names), trimmed. */
export function nameProp(props: Props, key: string): string | undefined {
  return nameOf(props?.[key]);
}

/** The same reading of a value that is not under a key (an item of a list prop). */
export function nameOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const name = value.trim();
  return name === '' || name.length > MAX_NAME ? undefined : name;
}

/** A positive whole number, else undefined. */
export function quantityProp(props: Props, key: string): number | undefined {
  const value = props?.[key];
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
