/** The product name written into index.html: escaped, and never read as a replacement pattern. */
import { describe, expect, it } from 'vitest';
import { brandIndex, PRODUCT_NAME_META } from './dashboard-index.ts';

const INDEX = '<html><head><title>Keyward</title>\n  </head><body></body></html>';

describe('brandIndex', () => {
  it('puts the name in the title and in the meta tag the dashboard reads', () => {
    const html = brandIndex(INDEX, 'Acme Cloud');
    expect(html).toContain('<title>Acme Cloud</title>');
    expect(html).toContain(`<meta name="${PRODUCT_NAME_META}" content="Acme Cloud" />`);
    expect(html).not.toContain('Keyward<');
  });

  it('escapes HTML and keeps $ patterns as text', () => {
    const html = brandIndex(INDEX, `A&B <"Cloud"> 'x' $& $'`);
    expect(html).toContain(`<title>A&amp;B &lt;&quot;Cloud&quot;&gt; &#39;x&#39; $&amp; $&#39;</title>`);
    expect(html).toContain(`content="A&amp;B &lt;&quot;Cloud&quot;&gt; &#39;x&#39; $&amp; $&#39;"`);
    expect(html).not.toContain('<"Cloud">');
  });
});
