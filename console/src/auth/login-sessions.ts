/**
 * Who is logged in: random session ids kept in memory with their expiry, so a logout ends the
 * session for real (a cookie alone could be replayed). A restart of the console logs everyone out.
 */
import { randomBytes } from 'node:crypto';

/** Logins kept at most; past it the oldest is logged out, so no count of logins grows the console's memory. */
export const MAX_LOGIN_SESSIONS = 1_000;

export class LoginSessions {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(): string {
    this.sweep();
    // A Map iterates in insertion order: the first key is the oldest login.
    while (this.expiries.size >= MAX_LOGIN_SESSIONS) this.expiries.delete(this.expiries.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    this.expiries.set(id, this.now() + this.lifetimeMs);
    return id;
  }

  valid(id: string | undefined | false): boolean {
    if (!id) return false;
    const expiry = this.expiries.get(id);
    if (expiry === undefined) return false;
    if (expiry <= this.now()) {
      this.expiries.delete(id);
      return false;
    }
    return true;
  }

  end(id: string | undefined | false): void {
    if (id) this.expiries.delete(id);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, expiry] of this.expiries) if (expiry <= now) this.expiries.delete(id);
  }
}
