/**
 * Masks what must never leave the page in captured text: e-mail addresses and
 * long runs of digits (card, phone, order and account numbers). Dates and
 * phone numbers written with spaces or dashes count as one run, so they are
 * masked too: we would rather lose a date than leak a card number.
 */
/** Anything@anything: also catches an address cut short (no dot yet) at the end of collected text. */
const EMAIL = /[^\s@]+@[^\s@]+/g;
/** Six or more digits, single spaces or dashes allowed between them. */
const DIGIT_RUN = /\d(?:[ -]?\d){5,}/g;

export function maskText(text: string): string {
  return text.replace(EMAIL, '[email]').replace(DIGIT_RUN, '[number]');
}
