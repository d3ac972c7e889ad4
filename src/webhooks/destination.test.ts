/** Which destinations webhooks may reach, decided without the network. */
import { describe, expect, it } from 'vitest';
import { addressesProblem, destinationProblem, forbiddenAddress, urlProblem } from './destination.ts';

const strict = { allowHttp: false, allowPrivate: false };

describe('forbiddenAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.1.1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['100.100.100.200', 'carrier-grade NAT'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd00:ec2::254', 'private'],
    ['fe80::1%eth0', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'cloud metadata'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['[::1]', 'loopback'],
  ])('%s is %s', (ip, why) => {
    expect(forbiddenAddress(ip)).toBe(why);
  });

  it.each(['8.8.8.8', '172.32.0.1', '192.169.0.1', '203.0.113.7', '2606:4700::1111', '::ffff:8.8.8.8'])(
    '%s is allowed',
    (ip) => {
      expect(forbiddenAddress(ip)).toBeUndefined();
    },
  );
});

describe('urlProblem', () => {
  it('wants https unless http is allowed', () => {
    expect(urlProblem('http://example.com/x', strict)).toMatch(/https/);
    expect(urlProblem('http://example.com/x', { ...strict, allowHttp: true })).toBeUndefined();
    expect(urlProblem('ftp://example.com/x', { allowHttp: true, allowPrivate: true })).toMatch(/https/);
  });

  it('refuses local names and private literals, whatever their spelling', () => {
    for (const url of [
      'https://localhost/',
      'https://LOCALHOST./',
      'https://a.b.localhost/',
      'https://0x7f.1/',
      'https://[0:0:0:0:0:0:0:1]/',
    ]) {
      expect(urlProblem(url, strict), url).toMatch(/KEYWARD_WEBHOOK_ALLOW_PRIVATE/);
    }
    expect(urlProblem('https://localhost/', { ...strict, allowPrivate: true })).toBeUndefined();
  });
});

describe('destinationProblem', () => {
  it('checks every address a name resolves to; a name that does not resolve (yet) is checked at delivery', async () => {
    const mixed = async () => [
      { address: '203.0.113.7', family: 4 },
      { address: '10.1.1.1', family: 4 },
    ];
    expect(await destinationProblem('https://hooks.example.com/', strict, mixed)).toMatch(
      /resolves to 10\.1\.1\.1/,
    );
    const nowhere = async () => {
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    };
    expect(await destinationProblem('https://hooks.example.com/', strict, nowhere)).toBeUndefined();
    const slow = () => new Promise<never>(() => {});
    expect(await destinationProblem('https://hooks.example.com/', strict, slow, 20)).toBeUndefined();
    expect(addressesProblem('x', [{ address: '2606:4700::1111', family: 6 }])).toBeUndefined();
  });
});
