/**
 * What was clicked, described without leaking what the visitor typed: a tag, a
 * short selector, the visible text (never form values, with e-mail addresses
 * and long digit runs masked) and the link target of the nearest anchor.
 */
import type { ElementDescriptor } from '@sessionflow/core';
import { maskText } from './mask.js';

/** A click on a span inside a button is a click on the button. */
const ACTIONABLE = 'a[href],button,[role="button"],[role="link"],[role="menuitem"],[role="tab"],input,select,textarea,summary,label';
/** Elements whose content is code, hidden, or typed by the visitor. */
const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA', 'INPUT', 'SELECT', 'OPTION', 'IFRAME']);
const FORM_FIELDS = new Set(['INPUT', 'TEXTAREA', 'SELECT', 'OPTION']);
/** Text inside these runs on with its neighbours; any other element is a word break. */
const INLINE = new Set(['A', 'ABBR', 'B', 'BDI', 'BDO', 'CODE', 'DATA', 'EM', 'I', 'KBD', 'MARK', 'Q', 'S', 'SAMP', 'SMALL', 'SPAN', 'STRONG', 'SUB', 'SUP', 'TIME', 'U', 'VAR']);

const MAX_TEXT = 64;
const MAX_SELECTOR = 256;
const MAX_HREF = 2048;
const SELECTOR_DEPTH = 4;
const CLASSES_PER_STEP = 2;
const CSS_NAME = /^-?[A-Za-z_][\w-]*$/;

export function actionableElement(target: Element): Element {
  return target.closest(ACTIONABLE) ?? target;
}

export function describeElement(el: Element): ElementDescriptor {
  const descriptor: ElementDescriptor = { tag: el.tagName.toLowerCase().slice(0, 32) };
  const selector = selectorOf(el);
  if (selector !== '') descriptor.selector = selector;
  const text = FORM_FIELDS.has(el.tagName.toUpperCase()) || isEditable(el) ? '' : visibleText(el);
  const label = text !== '' ? text : clip(el.getAttribute('aria-label') ?? '', MAX_TEXT);
  if (label !== '') descriptor.text = label;
  const href = linkOf(el);
  if (href !== undefined) descriptor.href = href;
  return descriptor;
}

/** `tag#id.class` steps joined by `>`, from the nearest ancestor with an id (or four levels up) down to `el`. */
export function selectorOf(el: Element): string {
  const steps: string[] = [];
  for (let node: Element | null = el; node !== null && steps.length < SELECTOR_DEPTH; node = node.parentElement) {
    const tag = node.tagName.toLowerCase();
    if (tag === 'html' || tag === 'body') break;
    const id = node.getAttribute('id');
    if (id !== null && CSS_NAME.test(id)) {
      steps.unshift(`${tag}#${id}`);
      break;
    }
    const classes = Array.from(node.classList).filter((c) => CSS_NAME.test(c)).slice(0, CLASSES_PER_STEP);
    steps.unshift(tag + classes.map((c) => `.${c}`).join(''));
  }
  // Keep the end nearest the element when the path is too long.
  while (steps.length > 1 && steps.join(' > ').length > MAX_SELECTOR) steps.shift();
  return steps.join(' > ').slice(0, MAX_SELECTOR);
}

/** Text a visitor can read on `el`, whitespace collapsed, masked (see mask.ts) and cut to 64 characters. */
export function visibleText(el: Element): string {
  const parts: string[] = [];
  let length = 0;
  const stack: Node[] = [el];
  // Iterative and bounded, so a click on <body> does not walk the whole page.
  while (stack.length > 0 && length < MAX_TEXT * 4) {
    const node = stack.pop()!;
    if (node.nodeType === 3) {
      const value = node.nodeValue ?? '';
      parts.push(value);
      length += value.length;
    } else if (node.nodeType === 1 && (node === el || !isHidden(node as Element))) {
      if (!INLINE.has((node as Element).tagName.toUpperCase())) parts.push(' ');
      const children = node.childNodes;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return clip(parts.join(''), MAX_TEXT);
}

function isHidden(el: Element): boolean {
  return (
    SKIPPED.has(el.tagName.toUpperCase()) ||
    el.hasAttribute('hidden') ||
    el.getAttribute('aria-hidden') === 'true' ||
    isEditable(el)
  );
}

function isEditable(el: Element): boolean {
  const editable = el.getAttribute('contenteditable');
  return editable !== null && editable !== 'false';
}

function linkOf(el: Element): string | undefined {
  const anchor = el.closest('a[href]') as HTMLAnchorElement | null;
  const href = anchor?.href;
  // javascript: and data: links carry code or payloads, not destinations.
  return href !== undefined && /^(https?:|mailto:|tel:)/i.test(href) ? href.slice(0, MAX_HREF) : undefined;
}

/** Masks before cutting, so a cut can never leave the start of an e-mail address or card number. */
function clip(text: string, max: number): string {
  const collapsed = maskText(text.replace(/\s+/g, ' ').trim());
  if (collapsed.length <= max) return collapsed;
  // Cut on code points, so an emoji is never split in half.
  return Array.from(collapsed).slice(0, max).join('').trim();
}
