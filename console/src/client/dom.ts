/** Building the pages' DOM from data: text always through textContent, never parsed as HTML. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | null>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'testid') el.setAttribute('data-testid', String(value));
    else if (name === 'class') el.className = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el: Element, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function byTestId<T extends HTMLElement = HTMLElement>(testid: string, root: ParentNode = document): T {
  const el = root.querySelector<T>(`[data-testid="${testid}"]`);
  if (el === null) throw new Error(`the page has no [data-testid="${testid}"]`);
  return el;
}

/**
 * Replaces `container`'s children, keeping the keyboard focus where it was: an element with a
 * `data-key` that had the focus gets it back after the update, so a live page never throws a
 * keyboard user back to the top.
 */
export function replace(container: Element, ...children: (Child | Child[])[]): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset['key'] : undefined;
  container.replaceChildren();
  append(container, children);
  if (key !== undefined) container.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
}

/** A table with a caption, headers and rows; numeric columns right-aligned. */
export function table(opts: { caption: string; head: string[]; numeric?: number[]; rows: (Child | Child[])[][]; rowAttrs?: (i: number) => Attrs }): HTMLTableElement {
  const numeric = new Set(opts.numeric ?? []);
  return h(
    'table',
    {},
    h('caption', {}, opts.caption),
    h('thead', {}, h('tr', {}, opts.head.map((label, i) => h('th', { scope: 'col', class: numeric.has(i) ? 'num' : undefined }, label)))),
    h(
      'tbody',
      {},
      opts.rows.length === 0
        ? h('tr', {}, h('td', { colspan: opts.head.length, class: 'muted' }, 'Nothing yet.'))
        : opts.rows.map((cells, r) => h('tr', opts.rowAttrs?.(r) ?? {}, cells.map((cell, i) => h('td', { class: numeric.has(i) ? 'num' : undefined }, cell)))),
    ),
  );
}
