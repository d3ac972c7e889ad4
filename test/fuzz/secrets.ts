/**
 * Every secret the fuzzer knows: the real ones the target issued, made-up ones shaped like Keyward's,
 * session cookies, and those the server hands back while it is fuzzed. Generated requests name a
 * secret by a placeholder (an index into the book), so a request plan is plain data: reproducible
 * from the seed and printable with labels instead of values.
 */
import { checksumOf } from '../../src/core/secrets.ts';

/**
 * `issued`: a live credential; `made-up`: never issued; `session`: a cookie value; `csrf`: a CSRF
 * token (GET /api/session shows it, so only a 2xx may hold it); `new`: taken from a 2xx that created it.
 */
export type SecretKind = 'issued' | 'made-up' | 'session' | 'csrf' | 'new';

export interface Secret {
  value: string;
  label: string;
  kind: SecretKind;
  /** A run of random characters of the value: a secret cut short or re-wrapped still shows it. */
  fragment: string;
}

/** How a placeholder is written into a URL, a header or a body: as is, URI-encoded, every byte %XX. */
export type Encoding = 'raw' | 'uri' | 'all';

// Private-use characters: no generated text or real secret holds them.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const PLACEHOLDER = /\uE000(\d+):(raw|uri|all)\uE001/g;

export const placeholder = (index: number, encoding: Encoding = 'raw'): string =>
  `${OPEN}${index}:${encoding}${CLOSE}`;

/** Percent-encodes every byte of the text's UTF-8 (`%73%70%6B…`). */
export const encodeAll = (text: string): string =>
  [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');

const encode = (value: string, how: Encoding) =>
  how === 'raw' ? value : how === 'uri' ? encodeURIComponent(value) : encodeAll(value);

/** Skips a prefix and the displayed `start` (8 characters), which answers may show. */
function fragmentOf(value: string): string {
  const prefix = /^[a-z]+_/.exec(value)?.[0].length ?? 0;
  return value.slice(prefix + 8, prefix + 28);
}

/** The most secrets taken from answers: enough to use some again, bounded so memory stays flat. */
const MAX_NEW = 48;

export class SecretBook {
  readonly list: Secret[] = [];
  /**
   * The secrets placeholders name: Keyward's credential secrets (keys, tokens, webhook secrets). A
   * session cookie or CSRF token is only ever sent where it belongs, yet never allowed in an error.
   */
  private readonly placeable: Secret[] = [];
  private readonly byValue = new Map<string, Secret>();
  private fresh = 0;
  /**
   * Secrets sent in a body the server accepted (2xx): stored data, so a later 2xx may show them (a
   * board named after a key). An error answer never may.
   */
  readonly stored = new Set<string>();

  add(value: string, label: string, kind: SecretKind): void {
    if (this.byValue.has(value) || value.length < 16) return;
    const secret = { value, label, kind, fragment: fragmentOf(value) };
    this.list.push(secret);
    if (kind !== 'session' && kind !== 'csrf') this.placeable.push(secret);
    this.byValue.set(value, secret);
  }

  /** Keeps secrets a 2xx returned (a key created, a token rotated) so that they are fuzzed too. */
  harvest(body: string): void {
    for (const match of body.matchAll(/"((?:spk|spi|kwo)_[0-9A-Za-z]{38}|whsec_[A-Za-z0-9+/=]{20,})"/g)) {
      if (this.fresh >= MAX_NEW) return;
      if (this.byValue.has(match[1]!)) continue;
      this.add(match[1]!, `$NEW_${this.fresh++}`, 'new');
    }
  }

  at(index: number): Secret {
    return this.placeable[index % this.placeable.length]!;
  }

  /** The text with each placeholder replaced by its secret, encoded as the placeholder says. */
  materialize(text: string): string {
    return text.includes(OPEN)
      ? text.replace(PLACEHOLDER, (_, i: string, how: Encoding) => encode(this.at(Number(i)).value, how))
      : text;
  }

  /** The text with every known secret (as is or encoded) replaced by its label. */
  redact(text: string): string {
    let out = text;
    for (const s of this.list) {
      out = out.split(encodeAll(s.value)).join(`all(${s.label})`);
      out = out
        .split(encodeURIComponent(s.value))
        .join(s.value === encodeURIComponent(s.value) ? s.label : `uri(${s.label})`);
      out = out.split(s.value).join(s.label);
    }
    for (const s of this.list) out = out.split(s.fragment).join(`${s.label}(part)`);
    return out;
  }

  /** Known secrets that the text shows, as is, percent-encoded or cut short. */
  shownIn(text: string): Secret[] {
    const decoded = lenientDecode(text);
    return this.list.filter((s) => text.includes(s.fragment) || decoded.includes(s.fragment));
  }
}

/** mulberry32: a tiny seeded generator, enough for made-up secrets. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Made-up secrets derived from the seed: well-formed (a valid checksum, never issued), a wrong
 * checksum, another prefix, and webhook-secret shapes with `+` and `/` (which URL-encoding changes).
 */
export function addMadeUpSecrets(book: SecretBook, seed: number): void {
  const next = prng(seed ^ 0x5eed);
  const chars = (alphabet: string, n: number) =>
    Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
  const wellFormed = (prefix: string) => {
    const head = prefix + chars(BASE62, 32);
    return head + checksumOf(head);
  };
  book.add(wellFormed('spk_'), '$FAKE_KEY', 'made-up');
  book.add(wellFormed('spi_'), '$FAKE_TOKEN', 'made-up');
  book.add(wellFormed('kwo_'), '$FAKE_OPERATOR', 'made-up');
  book.add(`spk_${chars(BASE62, 32)}000000`, '$BAD_CHECKSUM_KEY', 'made-up');
  book.add(
    `whsec_${chars(`${BASE62}+/`, 12)}+/${chars(BASE62, 20)}/+${chars(BASE62, 8)}=`,
    '$FAKE_WHSEC',
    'made-up',
  );
}

/** `%xx` decoding that never throws: invalid sequences stay as they are. */
export function lenientDecode(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => {
        const code = Number.parseInt(h, 16);
        return code < 0x80 ? String.fromCharCode(code) : `%${h}`;
      });
    }
  });
}
