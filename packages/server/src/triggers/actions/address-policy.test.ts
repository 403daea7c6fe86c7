import { describe, expect, it } from 'vitest';
import { classifyAddress, isAddressAllowed, isMetadataHostname } from './address-policy.js';

describe('classifyAddress', () => {
  it.each([
    ['169.254.169.254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'private'],
    ['127.9.9.9', 'private'],
    ['0.0.0.0', 'private'],
    ['::1', 'private'],
    ['::', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['ff02::1', 'reserved'],
    ['not-an-ip', 'reserved'],
    ['93.184.216.34', 'public'],
    ['172.32.0.1', 'public'],
    ['2606:4700::1111', 'public'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each([
    ['::ffff:127.0.0.1', 'private'],
    ['::ffff:7f00:1', 'private'],
    ['[::ffff:10.0.0.1]', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::ffff:169.254.1.1', 'link-local'],
    ['::127.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['::ffff:93.184.216.34', 'public'],
  ])('the IPv4 address inside %s decides: %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe('isAddressAllowed', () => {
  it('allows private addresses only when asked, and never metadata, link-local or reserved ones', () => {
    expect(isAddressAllowed('public', { allowPrivateNetworks: false })).toBe(true);
    expect(isAddressAllowed('private', { allowPrivateNetworks: false })).toBe(false);
    expect(isAddressAllowed('private', { allowPrivateNetworks: true })).toBe(true);
    for (const cls of ['metadata', 'link-local', 'reserved'] as const) {
      expect(isAddressAllowed(cls, { allowPrivateNetworks: true })).toBe(false);
    }
  });
});

describe('isMetadataHostname', () => {
  it('recognises metadata host names in any case, with a trailing dot', () => {
    expect(isMetadataHostname('metadata.google.internal')).toBe(true);
    expect(isMetadataHostname('METADATA.google.internal.')).toBe(true);
    expect(isMetadataHostname('example.com')).toBe(false);
  });
});
