/**
 * What was clicked, described without leaking what the visitor typed: a tag, a
 * short selector, the visible text (never form values, with e-mail addresses
 * and long digit runs masked) and the link target of the nearest anchor.
 */
import type { ElementDescriptor } from '@sessionflow/core';
import { maskText } from './mask.js';

/** A click on a span inside a button is a click on the button. */
const ACTIONABLE = 'a[href],button,[role=button],[role=link],[role=menuitem],[role=tab],input,select,textarea,summary,label';
/** Elements whose content is code, hidden, or typed by the visitor. */
const SKIPPED = /^(script|style|noscript|template|textarea|input|select|option|iframe)$/i;
/** Text inside these runs on with its neighbours; any other element is a word break. */
const INLINE = /^(a|abbr|b|bdi|bdo|code|data|em|i|kbd|mark|q|s|samp|small|span|strong|sub|sup|time|u|var)$/i;
/** Plain CSS names up to 32 characters, so four steps always fit the schema's 256. */
const CSS_NAME = /^-?[A-Za-z_][\w-]{0,31}$/;

export function actionableElement(target: Element): Element {
  return target.closest(ACTIONABLE) ?? target;
}

export function describeElement(el: Element): ElementDescriptor {
  const descriptor: ElementDescriptor = { tag: el.localName.slice(0, 32) };
  const selector = selectorOf(el);
  const text = (SKIPPED.test(el.tagName) || editable(el) ? '' : visibleText(el)) || clip(el.getAttribute('aria-label') ?? '');
  // javascript: and data: links carry code or payloads, not destinations.
  const href = (el.closest('a[href]') as HTMLAnchorElement | null)?.href ?? '';
  if (selector) descriptor.selector = selector;
  if (text) descriptor.text = text;
  if (/^(https?|mailto|tel):/i.test(href)) descriptor.href = href.slice(0, 2048);
  return descriptor;
}

/** `tag#id.class` steps joined by `>`, from the nearest ancestor with an id (or four levels up) down to `el`. */
export function selectorOf(el: Element): string {
  const steps: string[] = [];
  // Runs on every click: plain loops, each node's parent, tag and id read once, no arrays made per step.
  for (let node = el, parent = el.parentElement; parent && steps.length < 4; node = parent, parent = node.parentElement) {
    let step = node.localName.slice(0, 32);
    if (step === 'body') break;
    const id = node.id;
    if (CSS_NAME.test(id)) {
      steps.unshift(`${step}#${id}`);
      break;
    }
    let classes = 0;
    for (const name of node.classList) {
      if (classes === 2) break;
      if (CSS_NAME.test(name)) {
        step += `.${name}`;
        classes += 1;
      }
    }
    steps.unshift(step);
  }
  // Keep the end nearest the element when the path is too long.
  let selector = steps.join(' > ');
  while (selector.length > 256) {
    steps.shift();
    selector = steps.join(' > ');
  }
  return selector;
}

/** Text a visitor can read on `el`, whitespace collapsed, masked (see mask.ts) and cut to 64 characters. */
export function visibleText(el: Element): string {
  let text = '';
  const stack: Node[] = [el];
  // Iterative and bounded, so a click on <body> does not walk the whole page.
  while (stack.length > 0 && text.length < 256) {
    const node = stack.pop()!;
    if (node.nodeType === 3) text += node.nodeValue;
    else if (node === el || !hidden(node as Element)) {
      if (!INLINE.test((node as Element).tagName)) text += ' ';
      const children = node.childNodes;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return clip(text);
}

function hidden(el: Element): boolean {
  return el.nodeType !== 1 || SKIPPED.test(el.tagName) || el.hasAttribute('hidden') || el.getAttribute('aria-hidden') === 'true' || editable(el);
}

function editable(el: Element): boolean {
  const value = el.getAttribute('contenteditable');
  return value !== null && value !== 'false';
}

/** Masks before cutting, so a cut can never leave the start of an e-mail address or card number; cuts on code points, so an emoji is never split. */
function clip(text: string): string {
  return Array.from(maskText(text.replace(/\s+/g, ' ').trim())).slice(0, 64).join('').trim();
}
