/** The Alpaca hosts a host process (serve, Electron) was pointed at, e.g. the fake server for a demo. */
export interface AlpacaHosts {
  dataBaseUrl?: string;
  streamBaseUrl?: string;
}

function checkUrl(text: string, what: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${what} must be a URL such as ${protocols[0]}//127.0.0.1:8765, got "${text}"`);
  }
  if (!protocols.includes(url.protocol))
    throw new Error(`${what} must start with ${protocols.join(' or ')}, got "${text}"`);
  return url.href.replace(/\/+$/, '');
}

/**
 * Checks the given hosts (flags first, then ALPACA_DATA_BASE_URL / ALPACA_STREAM_BASE_URL). A data host
 * given without a stream host implies the stream on the same host (as the fake server serves both), so
 * one flag is enough for a demo; with neither, MarketDataService uses Alpaca's own.
 */
export function resolveAlpacaHosts(
  flags: { dataBaseUrl?: string | undefined; streamBaseUrl?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): AlpacaHosts {
  const dataText = flags.dataBaseUrl ?? env['ALPACA_DATA_BASE_URL'];
  const streamText = flags.streamBaseUrl ?? env['ALPACA_STREAM_BASE_URL'];
  const hosts: AlpacaHosts = {};
  if (dataText) hosts.dataBaseUrl = checkUrl(dataText, '--alpaca-base-url', ['http:', 'https:']);
  if (streamText) hosts.streamBaseUrl = checkUrl(streamText, '--alpaca-stream-url', ['ws:', 'wss:']);
  else if (hosts.dataBaseUrl) hosts.streamBaseUrl = hosts.dataBaseUrl.replace(/^http/, 'ws');
  return hosts;
}
