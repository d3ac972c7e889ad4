/** Embedding settings: KEYWARD_PUBLIC_URL, KEYWARD_FRAME_ANCESTORS and KEYWARD_PRODUCT_NAME. */
import { describe, expect, it } from 'vitest';
import { flagOf, loadConfig } from './config.ts';

describe('KEYWARD_PUBLIC_URL', () => {
  it('defaults to http://<HOST>:<PORT>', () => {
    expect(loadConfig({}).publicUrl).toBe('http://127.0.0.1:3000');
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).publicUrl).toBe('http://0.0.0.0:8080');
    expect(loadConfig({ HOST: '::1', PORT: '8080' }).publicUrl).toBe('http://[::1]:8080');
  });

  it.each([
    ['https://keys.example.com', 'https://keys.example.com'],
    ['https://keys.example.com/', 'https://keys.example.com'],
    ['https://Keys.Example.com:443//', 'https://keys.example.com'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['https://example.com/keyward/', 'https://example.com/keyward'],
  ])('%s is kept as %s (no trailing slash)', (value, kept) => {
    expect(loadConfig({ KEYWARD_PUBLIC_URL: value }).publicUrl).toBe(kept);
  });

  it.each([
    'keys.example.com',
    'ftp://keys.example.com',
    'https://u:p@keys.example.com',
    'https://x.com/?a=1',
  ])('%s is an error naming the variable', (value) => {
    expect(() => loadConfig({ KEYWARD_PUBLIC_URL: value })).toThrow(/KEYWARD_PUBLIC_URL: expected an http/);
  });

  it('is the flag --public-url of keyward serve', () => {
    expect(flagOf('publicUrl')).toBe('--public-url');
    expect(
      loadConfig({ KEYWARD_PUBLIC_URL: 'https://a.test' }, { publicUrl: 'https://b.test' }).publicUrl,
    ).toBe('https://b.test');
  });
});

describe('KEYWARD_FRAME_ANCESTORS', () => {
  it('is empty by default: only Keyward itself frames the dashboard', () => {
    expect(loadConfig({}).frameAncestors).toEqual([]);
    expect(loadConfig({ KEYWARD_FRAME_ANCESTORS: '' }).frameAncestors).toEqual([]);
  });

  it('reads space-separated origins, normalized as browsers write them', () => {
    const config = loadConfig({
      KEYWARD_FRAME_ANCESTORS: ' https://App.Example.com  http://localhost:5173\thttps://b.example.com:443/ ',
    });
    expect(config.frameAncestors).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
      'https://b.example.com',
    ]);
  });

  it.each([
    'app.example.com',
    'https://app.example.com/settings',
    'https://*.example.com',
    '*',
    "'self'",
    'ftp://files.example.com',
    'https://app.example.com?x=1',
    'https://user@app.example.com',
  ])('%s is an error naming the variable and the bad origin', (value) => {
    expect(() => loadConfig({ KEYWARD_FRAME_ANCESTORS: `https://ok.example.com ${value}` })).toThrow(
      new RegExp(
        `KEYWARD_FRAME_ANCESTORS: expected space-separated origins.*got ${value.replace(/[*?.]/g, '\\$&')}`,
      ),
    );
  });

  it('is the flag --frame-ancestors of keyward serve', () => {
    expect(flagOf('frameAncestors')).toBe('--frame-ancestors');
  });
});

describe('KEYWARD_PRODUCT_NAME', () => {
  it('defaults to Keyward', () => {
    expect(loadConfig({}).productName).toBe('Keyward');
  });

  it('is trimmed and kept as written', () => {
    expect(loadConfig({ KEYWARD_PRODUCT_NAME: '  Acme Cloud ' }).productName).toBe('Acme Cloud');
  });

  it.each(['   ', 'a'.repeat(61), 'Acme\nCloud'])('%j is an error naming the variable', (value) => {
    expect(() => loadConfig({ KEYWARD_PRODUCT_NAME: value })).toThrow(/KEYWARD_PRODUCT_NAME: /);
  });
});
