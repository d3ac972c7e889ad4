/** Settings that put Keyward inside an operator's product: its public address, framing origins, name. */
import { z } from 'zod';

/** `http(s)://host[:port][/path]`, kept without a trailing slash so links are `${publicUrl}/portal/…`. */
export const publicUrlSchema = z.string().transform((s, ctx) => {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    ctx.addIssue({ code: 'custom', message: `expected an http(s) URL, got ${s}` });
    return z.NEVER;
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || url.search || url.hash) {
    ctx.addIssue({
      code: 'custom',
      message: `expected an http(s) URL without credentials, query or fragment, got ${s}`,
    });
    return z.NEVER;
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
});

/** Where Keyward is reached when KEYWARD_PUBLIC_URL is unset: the address it listens on. */
export function defaultPublicUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * One origin, as a browser writes it in `Origin` and CSP matches it: `https://app.example.com`,
 * `http://localhost:5173`. Returned normalized (lowercase host, no default port, no trailing slash).
 */
function parseOrigin(token: string): string | undefined {
  if (token.includes('*')) return undefined;
  try {
    const url = new URL(token);
    const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
    const scheme = url.protocol === 'http:' || url.protocol === 'https:';
    return bare && scheme && /^https?:\/\/[^/?#]+\/?$/.test(token) ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Space-separated origins allowed to show the dashboard in an iframe (`frame-ancestors`). */
export const frameAncestorsSchema = z.string().transform((s, ctx) => {
  const origins: string[] = [];
  for (const token of s.split(/\s+/).filter(Boolean)) {
    const origin = parseOrigin(token);
    if (!origin) {
      ctx.addIssue({
        code: 'custom',
        message: `expected space-separated origins like https://app.example.com (scheme and host, no path or wildcard), got ${token}`,
      });
    } else if (!origins.includes(origin)) origins.push(origin);
  }
  return origins;
});

/** Shown in the dashboard's header and title instead of "Keyward". */
export const productNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(60, 'must be at most 60 characters')
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');
