import { isIP } from 'node:net';

/**
 * Where an outbound request may go. `metadata`, `link-local` and `reserved` are always refused;
 * `private` only when private networks are allowed.
 */
export type AddressClass = 'public' | 'private' | 'link-local' | 'metadata' | 'reserved';

/** Host names of cloud metadata services, refused before any DNS lookup. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);
const METADATA_V4 = new Set(['169.254.169.254', '100.100.100.200', '169.254.170.2']);
const METADATA_V6 = new Set(['fd00:ec2:0:0:0:0:0:254']);

type V4Range = readonly [base: string, bits: number, cls: AddressClass];
const V4_RANGES: readonly V4Range[] = [
  ['0.0.0.0', 8, 'private'], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'private'], // carrier-grade NAT, shared address space
  ['127.0.0.0', 8, 'private'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'private'], // benchmarking
  ['224.0.0.0', 4, 'reserved'], // multicast
  ['240.0.0.0', 4, 'reserved'], // reserved and broadcast
];

type V6Range = readonly [base: string, bits: number, cls: AddressClass];
const V6_RANGES: readonly V6Range[] = [
  ['::', 128, 'private'], // unspecified
  ['::1', 128, 'private'],
  ['fc00::', 7, 'private'], // unique local
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'private'], // deprecated site-local
  ['ff00::', 8, 'reserved'], // multicast
];

/**
 * True for host names that name a cloud metadata service (compared without a trailing dot, any case).
 *
 * @example
 * isMetadataHostname('Metadata.Google.Internal.') // true
 */
export function isMetadataHostname(hostname: string): boolean {
  return METADATA_HOSTS.has(hostname.toLowerCase().replace(/\.$/, ''));
}

/**
 * Classifies an IP literal. IPv4-mapped, IPv4-compatible and NAT64 IPv6 addresses (`::ffff:127.0.0.1`,
 * `::ffff:7f00:1`, `64:ff9b::a9fe:a9fe`) are classified as the IPv4 address they carry. Anything that is not an IP
 * literal is `reserved`.
 *
 * @example
 * classifyAddress('169.254.169.254') // 'metadata'
 * classifyAddress('::ffff:10.0.0.1') // 'private'
 * classifyAddress('93.184.216.34')   // 'public'
 */
export function classifyAddress(address: string): AddressClass {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return classifyV4(parseV4(bare));
  if (family !== 6) return 'reserved';
  const words = parseV6(bare);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible) both reach the IPv4 host on dual-stack sockets.
  // 64:ff9b::/96 (NAT64) is translated to the embedded IPv4 address by the network.
  const upperZero = words.slice(0, 5).every((w) => w === 0);
  const mapped = upperZero && (words[5] === 0xffff || (words[5] === 0 && (words[6]! !== 0 || words[7]! > 1)));
  const nat64 = words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0);
  if (mapped || nat64) return classifyV4(((words[6]! << 16) | words[7]!) >>> 0);
  if (METADATA_V6.has(words.map((w) => w.toString(16)).join(':'))) return 'metadata';
  for (const [base, bits, cls] of V6_RANGES) {
    if (v6InRange(words, parseV6(base), bits)) return cls;
  }
  return 'public';
}

/**
 * Whether a request to an address of this class is allowed.
 *
 * @example
 * isAddressAllowed('private', { allowPrivateNetworks: true }) // true
 * isAddressAllowed('metadata', { allowPrivateNetworks: true }) // false
 */
export function isAddressAllowed(cls: AddressClass, options: { allowPrivateNetworks: boolean }): boolean {
  switch (cls) {
    case 'public':
      return true;
    case 'private':
      return options.allowPrivateNetworks;
    case 'link-local':
    case 'metadata':
    case 'reserved':
      return false;
    default: {
      const unreachable: never = cls;
      return unreachable;
    }
  }
}

/**
 * A sentence saying why an address of this class is refused, for the action's failure reason.
 *
 * @example
 * refusalReason('169.254.169.254', 'metadata') // '169.254.169.254 is a cloud metadata endpoint'
 */
export function refusalReason(address: string, cls: AddressClass): string {
  switch (cls) {
    case 'metadata':
      return `${address} is a cloud metadata endpoint`;
    case 'link-local':
      return `${address} is a link-local address`;
    case 'private':
      return `${address} is a private or loopback address (set HERALD_ALLOW_PRIVATE_NETWORKS=true or the connection's allow_private_network to allow it)`;
    case 'reserved':
      return `${address} is not a unicast address`;
    case 'public':
      return `${address} is allowed`;
    default: {
      const unreachable: never = cls;
      return unreachable;
    }
  }
}

function classifyV4(n: number): AddressClass {
  if (METADATA_V4.has(formatV4(n))) return 'metadata';
  for (const [base, bits, cls] of V4_RANGES) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if ((n & mask) >>> 0 === (parseV4(base) & mask) >>> 0) return cls;
  }
  return 'public';
}

function parseV4(text: string): number {
  return text.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

function formatV4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Eight 16-bit words; the caller has checked that `text` is an IPv6 literal. */
function parseV6(text: string): number[] {
  let source = text.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(source);
  if (dotted) {
    const n = parseV4(dotted[1]!);
    source = source.slice(0, dotted.index) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = source.split('::');
  const headWords = head === '' ? [] : head.split(':');
  const tailWords = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : new Array<string>(8 - headWords.length - tailWords.length).fill('0');
  return [...headWords, ...fill, ...tailWords].map((w) => parseInt(w, 16));
}

function v6InRange(words: number[], base: number[], bits: number): boolean {
  for (let i = 0; i < 8; i++) {
    const take = Math.max(0, Math.min(16, bits - i * 16));
    if (take === 0) return true;
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((words[i]! & mask) !== (base[i]! & mask)) return false;
  }
  return true;
}
