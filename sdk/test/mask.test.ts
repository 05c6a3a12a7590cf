// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { describeClick } from '../src/capture/click.js';
import { maskText } from '../src/capture/mask.js';

describe('maskText', () => {
  it.each([
    ['Write to jane.doe+shop@example.co.uk today', 'Write to [email] today'],
    ['Order 20251115-0042 shipped', 'Order [number] shipped'],
    ['Card 4111 1111 1111 1111', 'Card [number]'],
    ['Call +44 20-7946-0958', 'Call +[number]'],
    ['Account 1234567', 'Account [number]'],
  ])('masks %j', (text, masked) => {
    expect(maskText(text)).toBe(masked);
  });

  it.each(['Add to cart', 'Size 42', 'Only 12345 left', '€1,299.00', 'Version 1.2.3'])('leaves %j alone', (text) => {
    expect(maskText(text)).toBe(text);
  });
});

describe('click text is masked', () => {
  it('in the visible text of a clicked element', () => {
    document.body.innerHTML = `<button id="b">Send to  me@mail.example  (order 99887766)</button>`;
    expect(describeClick(document.getElementById('b')!).element.text).toBe('Send to [email] (order [number])');
  });

  it('before the text is cut, so no part of an address is left at the cut', () => {
    document.body.innerHTML = `<a id="a" href="/account">${'Your account '.repeat(4)}registered.address@example.com</a>`;
    const { text, href } = describeClick(document.getElementById('a')!).element;
    expect(text).not.toMatch(/registered|@/);
    expect(href).toBe(new URL('/account', location.href).href);
  });

  it('in an aria-label used as the name', () => {
    document.body.innerHTML = `<button id="b" aria-label="Call 0800 123 4567"><svg></svg></button>`;
    expect(describeClick(document.getElementById('b')!).element.text).toBe('Call [number]');
  });
});
