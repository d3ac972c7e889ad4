/**
 * The dashboard's index.html as served: the operator's product name (KEYWARD_PRODUCT_NAME) written
 * into its title and into a meta tag the app reads at boot, so no request and no flash of "Keyward".
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';

/** The meta tag web/src/lib/product.ts reads. */
export const PRODUCT_NAME_META = 'keyward-product-name';

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export function brandIndex(html: string, productName: string): string {
  const name = escapeHtml(productName);
  // Replacer functions: a `$&` in the name is text, not a replacement pattern.
  return html
    .replace(/<title>[^<]*<\/title>/, () => `<title>${name}</title>`)
    .replace('</head>', () => `  <meta name="${PRODUCT_NAME_META}" content="${name}" />\n  </head>`);
}

export interface IndexPage {
  html: string;
  etag: string;
}

/** Reads and brands index.html again only when the file changed (a rebuild while serving). */
export function indexPageReader(path: string, productName: string): () => Promise<IndexPage | undefined> {
  let cached: { version: string; page: IndexPage } | undefined;
  return async () => {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const version = `${info.mtimeMs}:${info.size}`;
    if (cached?.version !== version) {
      const html = brandIndex(await readFile(path, 'utf8'), productName);
      const etag = `"${createHash('sha256').update(html).digest('base64url').slice(0, 22)}"`;
      cached = { version, page: { html, etag } };
    }
    return cached.page;
  };
}
