import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, hmacSha256, sha256, sha256Hex, toHex, utf8 } from './sha256.ts';

describe('sha256', () => {
  it('gives the NIST vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('equals node:crypto on random inputs of every length around the block boundaries', () => {
    for (let n = 0; n < 200; n++) {
      const bytes = new Uint8Array(randomBytes(n));
      expect(toHex(sha256(bytes))).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('encodes UTF-8 as node does, astral characters included', () => {
    const text = 'Regimen € 𝔊 ümlaut';
    expect(Array.from(utf8(text))).toEqual(Array.from(Buffer.from(text, 'utf8')));
  });
});

describe('hmacSha256', () => {
  it('gives RFC 4231 test case 2 and equals node:crypto for short and long keys', () => {
    expect(toHex(hmacSha256(utf8('Jefe'), utf8('what do ya want for nothing?')))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    for (const keyLength of [1, 32, 64, 65, 200]) {
      const key = new Uint8Array(randomBytes(keyLength));
      const message = new Uint8Array(randomBytes(300));
      expect(toHex(hmacSha256(key, message))).toBe(createHmac('sha256', key).update(message).digest('hex'));
    }
  });

  it('compares in constant time and still tells equal from different', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
