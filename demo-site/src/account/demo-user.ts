/**
 * The storefront's one demo account. A demo sign-in has no password: anyone
 * may sign in as it, so the cookie that remembers the sign-in only has to name
 * an account the server knows. A real shop signs in with its own sessions and
 * issues the identity token for the user its session names.
 */
export const DEMO_USER = { id: 'demo-user-1', traits: { plan: 'demo' } } as const;

/** The cookie that keeps a visitor signed in across page loads. */
export const SESSION_COOKIE = 'demo_user';

/** The demo account a cookie value names, or undefined. */
export const demoUserNamed = (value: string | undefined) => (value === DEMO_USER.id ? DEMO_USER : undefined);
