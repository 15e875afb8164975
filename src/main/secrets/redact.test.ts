import { describe, expect, it } from 'vitest';
import { passwordOf, redactSecrets, safeUrl } from './redact.ts';

describe('redactSecrets', () => {
  it('redacts every known secret, longest first; a short one where it stands alone, not inside other words', () => {
    expect(redactSecrets('key abcdef and abcdefgh, id ab', ['abcdef', 'abcdefgh', 'ab'])).toBe(
      'key [redacted] and [redacted], id [redacted]',
    );
    expect(redactSecrets("args beginning with: 'pw1' ", ['pw1'])).toBe("args beginning with: '[redacted]' ");
    expect(redactSecrets('PW1 failed; pw12, opw1 and pw1x are other words', ['pw1'])).toBe(
      '[redacted] failed; pw12, opw1 and pw1x are other words',
    );
  });

  it('redacts a secret in any letter case, JSON- or URL-escaped and base64 at any alignment', () => {
    const secret = 'Se"cr\\et/with+odd&chars=1';
    const base64 = (text: string): string => Buffer.from(text).toString('base64');
    const forms = [
      secret.toUpperCase(),
      secret.toLowerCase(),
      JSON.stringify(secret).slice(1, -1),
      encodeURIComponent(secret),
      encodeURIComponent(secret).toLowerCase(),
      base64(secret),
      base64(`x:${secret}`),
      base64(`xy:${secret}`),
      base64(secret).replace(/\+/g, '-').replace(/\//g, '_'),
    ];
    for (const form of forms) {
      const out = redactSecrets(`upstream said: ${form}`, [secret]);
      expect(out).toContain('[redacted]');
      // What is left of the encoded form is at most a partial base64 group at each end.
      expect(out.replace('upstream said: ', '').replace('[redacted]', '').length).toBeLessThanOrEqual(8);
    }
  });

  it('redacts a 3-character secret in its escaped forms too', () => {
    for (const [secret, form] of [
      ['p@1', 'p%401'],
      ['p"1', 'p\\"1'],
      ['pw1', 'cHcx'],
    ] as const)
      expect(redactSecrets(`upstream said: ${form}.`, [secret])).toBe('upstream said: [redacted].');
  });

  it('masks the password of every URL in a text by its place, known or not, and whatever its length', () => {
    expect(
      redactSecrets('lost redis://:pw1@box:6379 and rediss://ana:p%401@h/0; see http://host:8080/a@b', []),
    ).toBe('lost redis://:***@box:6379 and rediss://ana:***@h/0; see http://host:8080/a@b');
  });
});

describe('safeUrl and passwordOf', () => {
  it('mask and find the password of one URL, decoded', () => {
    expect(safeUrl('redis://:p%401@box:6379')).toBe('redis://:***@box:6379');
    expect(safeUrl('redis://box:6379')).toBe('redis://box:6379');
    expect(safeUrl('not a url pw1')).toBe('(an invalid Redis URL)');
    expect(passwordOf('redis://:p%401@box:6379')).toEqual(['p@1']);
    expect(passwordOf('redis://box:6379')).toEqual([]);
    expect(passwordOf(undefined)).toEqual([]);
  });
});
