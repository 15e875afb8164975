import { describe, expect, it } from 'vitest';
import { jsonOrText } from './responseBody.ts';

describe('jsonOrText', () => {
  it('parses a JSON body and keeps any other body as its text', async () => {
    expect(await jsonOrText(new Response('{"error":"bad","field":"cash"}'))).toEqual({
      error: 'bad',
      field: 'cash',
    });
    expect(await jsonOrText(new Response('<h1>502 Bad Gateway</h1>'))).toBe('<h1>502 Bad Gateway</h1>');
    expect(await jsonOrText(new Response(''))).toBe('');
  });
});
