/**
 * Applies the actions the edge sends back in a collect response: each goes to
 * the site's `on('action')` handlers and to the built-in renderer, once per
 * page view. An action counts as seen (an `exposure` event) only once it was
 * really rendered, by the renderer or by a handler that returned true, so
 * experiment readouts count what visitors saw, not what the edge decided.
 */
import type { Action } from '@sessionflow/core';

/** A site's handler; returning true says it rendered the action. */
export type ActionHandler = (action: Action) => boolean | void;

export interface Dispatcher {
  /** The `actions` of a collect answer (anything: it is checked here). */
  apply(actions: unknown): void;
  /** A new page view: actions may be applied again. */
  reset(): void;
}

export interface DispatchDeps {
  handlers: ReadonlySet<ActionHandler>;
  /** Renders a built-in kind, later (a frame), and calls `rendered` if it did. */
  render: (action: Action, rendered: () => void) => void;
  exposed: (action: Action) => void;
  /** False without the visitor's consent to personalization. */
  allowed: () => boolean;
}

export function dispatcher({ handlers, render, exposed, allowed }: DispatchDeps): Dispatcher {
  let applied = new Set<string>();
  return {
    apply(actions) {
      if (!Array.isArray(actions) || !allowed()) return;
      for (const action of actions as Action[]) {
        if (typeof action?.id !== 'string' || typeof action.kind !== 'string' || applied.has(action.id)) continue;
        applied.add(action.id);
        let seen = false;
        const rendered = () => {
          if (!seen) exposed(action);
          seen = true;
        };
        handlers.forEach((handler) => {
          try {
            if (handler(action) === true) rendered();
          } catch {
            // The site's handler failing must not stop the others, nor capture.
          }
        });
        render(action, rendered);
      }
    },
    reset: () => void (applied = new Set()),
  };
}
