import { describe, expect, it } from 'vitest';
import { resolveAlpacaHosts } from './hosts.ts';

describe('resolveAlpacaHosts', () => {
  it('uses Alpaca (nothing set) when neither flags nor environment name a host', () => {
    expect(resolveAlpacaHosts({}, {})).toEqual({});
  });

  it('takes the stream from the data host when only that is given, as the fake server serves both', () => {
    expect(resolveAlpacaHosts({ dataBaseUrl: 'http://127.0.0.1:8765/' }, {})).toEqual({
      dataBaseUrl: 'http://127.0.0.1:8765',
      streamBaseUrl: 'ws://127.0.0.1:8765',
    });
  });

  it('prefers flags over ALPACA_DATA_BASE_URL / ALPACA_STREAM_BASE_URL', () => {
    const env = { ALPACA_DATA_BASE_URL: 'https://env.example', ALPACA_STREAM_BASE_URL: 'wss://env.example' };
    expect(resolveAlpacaHosts({}, env)).toEqual({
      dataBaseUrl: 'https://env.example',
      streamBaseUrl: 'wss://env.example',
    });
    expect(resolveAlpacaHosts({ dataBaseUrl: 'http://127.0.0.1:1' }, env)).toEqual({
      dataBaseUrl: 'http://127.0.0.1:1',
      streamBaseUrl: 'wss://env.example',
    });
  });

  it('refuses what is not an http(s) data host or a ws(s) stream host, naming the flag', () => {
    expect(() => resolveAlpacaHosts({ dataBaseUrl: 'ftp://x' }, {})).toThrow(
      '--alpaca-base-url must start with http: or https:, got "ftp://x"',
    );
    expect(() => resolveAlpacaHosts({ dataBaseUrl: '127.0.0.1:8765' }, {})).toThrow('--alpaca-base-url');
    expect(() => resolveAlpacaHosts({ streamBaseUrl: 'http://x' }, {})).toThrow(
      '--alpaca-stream-url must start with ws: or wss:',
    );
  });
});
