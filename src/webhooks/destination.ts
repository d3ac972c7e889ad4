/**
 * Where webhooks may go: https only (unless allowed), and never to loopback, private, link-local or
 * metadata addresses (unless allowed) — checked when an endpoint is saved and again, on the address
 * actually connected to, at every delivery (DNS may have changed in between).
 */

import dns, { type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

export interface DestinationPolicy {
  /** KEYWARD_WEBHOOK_ALLOW_HTTP: plain http URLs are accepted. */
  allowHttp: boolean;
  /** KEYWARD_WEBHOOK_ALLOW_PRIVATE: internal addresses are accepted. */
  allowPrivate: boolean;
}

/** Resolves a host name to all its addresses (dns.lookup's shape, so tests can substitute it). */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

export const resolveWithDns: ResolveAll = (hostname) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true });

const RANGES: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'reserved'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'private'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const lists = RANGES.map(([net, prefix, type, label]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  return { list, type, label };
});

/** IPv4 embedded in an IPv6 address (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`), else undefined. */
function embeddedIpv4(ip: string): string | undefined {
  const lower = ip.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const [hi, lo] = [Number.parseInt(hex[1]!, 16), Number.parseInt(hex[2]!, 16)];
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Why an address must not receive webhooks ("loopback", "private", …), or undefined when it may. */
export function forbiddenAddress(ip: string): string | undefined {
  const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const version = isIP(bare);
  if (version === 0) return 'not an IP address';
  if (version === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4) return forbiddenAddress(v4);
  }
  const type = version === 4 ? 'ipv4' : 'ipv6';
  const hit = lists.find((l) => l.type === type && l.list.check(bare, type));
  if (!hit) return undefined;
  return bare === '169.254.169.254' ? 'cloud metadata' : hit.label;
}

const FORBIDDEN_NAMES = /^(?:localhost|.+\.localhost|metadata|metadata\.google\.internal)\.?$/i;

export const ALLOW_PRIVATE_HINT = 'set KEYWARD_WEBHOOK_ALLOW_PRIVATE=true to allow internal receivers';

/** The problem with a URL that needs no DNS to see (scheme, a forbidden name or IP literal), if any. */
export function urlProblem(raw: string, policy: DestinationPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https:// URL';
  if (url.protocol === 'http:' && !policy.allowHttp) {
    return 'must use https:// (set KEYWARD_WEBHOOK_ALLOW_HTTP=true to allow http://)';
  }
  if (policy.allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (FORBIDDEN_NAMES.test(host)) return `${host} is a local name; ${ALLOW_PRIVATE_HINT}`;
  if (isIP(host)) {
    const why = forbiddenAddress(host);
    if (why) return `${host} is a ${why} address; ${ALLOW_PRIVATE_HINT}`;
  }
  return undefined;
}

/** The problem with a resolved address list, if any one of them is forbidden. */
export function addressesProblem(host: string, addresses: readonly LookupAddress[]): string | undefined {
  for (const a of addresses) {
    const why = forbiddenAddress(a.address);
    if (why) return `${host} resolves to ${a.address}, a ${why} address; ${ALLOW_PRIVATE_HINT}`;
  }
  return undefined;
}

/**
 * The full check when an endpoint is saved: the URL, then what its host resolves to now. A host that
 * does not resolve (yet) is accepted: every delivery resolves and checks it again.
 */
export async function destinationProblem(
  raw: string,
  policy: DestinationPolicy,
  resolve: ResolveAll = resolveWithDns,
  timeoutMs = 3_000,
): Promise<string | undefined> {
  const problem = urlProblem(raw, policy);
  if (problem || policy.allowPrivate) return problem;
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout(undefined), timeoutMs);
  });
  try {
    const addresses = await Promise.race([resolve(host).catch(() => undefined), timeout]);
    return addresses ? addressesProblem(host, addresses) : undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** Raised by the delivery-time lookup when the destination resolves to a forbidden address. */
export class ForbiddenDestinationError extends Error {
  readonly code = 'ERR_WEBHOOK_DESTINATION';
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request: resolves, refuses forbidden addresses, and hands the checked address
 * to the socket, so the connection goes exactly where the check looked (no second resolution).
 */
export function guardedLookup(policy: DestinationPolicy, resolve: ResolveAll = resolveWithDns) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        const problem = policy.allowPrivate ? undefined : addressesProblem(hostname, addresses);
        if (problem) return callback(new ForbiddenDestinationError(problem), '', 4);
        const first = addresses[0];
        if (!first)
          return callback(
            Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
            '',
            4,
          );
        if (options.all) return callback(null, addresses);
        return callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 4),
    );
  };
}
