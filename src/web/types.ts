import type { Context } from 'hono';
import type { AppContext } from '../context.js';

/** The signed-in user as the web layer sees it (set by the session middleware of the accounts feature). */
export interface WebUser {
  id: number;
  name: string;
  email: string;
  role: 'user' | 'moderator' | 'admin';
  emailVerified: boolean;
}

export interface AppEnv {
  Variables: {
    ctx: AppContext;
    user: WebUser | null;
    /** CSRF token to embed in forms (set by the CSRF middleware), '' when none. */
    csrf: string;
    /** Feed links for <link rel="alternate"> on the current page. */
    alternates: { type: string; title: string; href: string }[];
    /** This response's CSP nonce (hono/secure-headers): put it on any inline <script>. */
    secureHeadersNonce?: string;
  };
}

export type WebContext = Context<AppEnv>;
