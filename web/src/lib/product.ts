/**
 * The product the dashboard is part of: KEYWARD_PRODUCT_NAME, which the server writes into
 * index.html's meta tag (src/http/routes/dashboard-index.ts); "Keyward" when there is none (vite dev).
 */
export const PRODUCT_NAME =
  document.querySelector<HTMLMetaElement>('meta[name="keyward-product-name"]')?.content.trim() || 'Keyward';
