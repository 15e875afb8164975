/**
 * A response's body as JSON when it parses, else its text as it came (an HTML error page, an empty body),
 * for the caller to report: what a client of an HTTP peer that should answer JSON reads.
 */
export async function jsonOrText(response: { text(): Promise<string> }): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
