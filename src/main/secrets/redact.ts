/**
 * The one masking of secrets: everything that leaves main (an error, an event, a log or printed line, a
 * stored record) and could carry a key, a password or a signing secret goes through these functions.
 */

/** What a password is shown as in a URL; given back in a URL (Settings > Compute), it means "the saved one". */
export const MASKED_PASSWORD = '***';

/** What a known secret value is replaced with in a text. */
export const REDACTED = '[redacted]';

/** A URL with its password masked, for messages (an unparsable one is not quoted at all). */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = MASKED_PASSWORD;
    return parsed.toString();
  } catch {
    return '(an invalid Redis URL)';
  }
}

/** The password a URL carries, decoded, for redactSecrets (none: an empty list). */
export function passwordOf(url: string | undefined): string[] {
  if (url === undefined) return [];
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? [] : [password];
  } catch {
    // A URL the WHATWG parser refuses has no password this could find; redactSecrets still masks its place.
    return [];
  }
}

/**
 * Masks each secret in a text, whatever its length:
 * - the password of every URL in it (`scheme://user:password@`), by its place, so one that is not known
 *   here (a URL typed in a request, an upstream quoting its own URL) is masked too;
 * - each known value in the forms an upstream echo or a log line could carry it: as is in any letter case,
 *   JSON-escaped, URL-escaped (either hex case, strict or not) and base64 (standard or URL-safe, at any byte
 *   alignment, so a secret inside a longer encoded text such as a Basic credential is found too).
 * A form of fewer than SHORT_FORM characters is masked where it stands alone (no letter or digit either
 * side): a 3-character password is still masked in "args: 'pw1'", while "pw12" or "opw1" are other words
 * it would only mangle.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const masked = text.replace(URL_PASSWORD, `$1${MASKED_PASSWORD}@`);
  const forms = new Set<string>();
  for (const secret of secrets) for (const form of encodedForms(secret)) if (form !== '') forms.add(form);
  if (forms.size === 0) return masked;
  // Longest first, so a form that contains another is replaced whole.
  const alternatives = [...forms]
    .sort((a, b) => b.length - a.length)
    .map((form) =>
      form.length >= SHORT_FORM
        ? escapeRegExp(form)
        : `(?<![\\p{L}\\p{N}])${escapeRegExp(form)}(?![\\p{L}\\p{N}])`,
    );
  return masked.replace(new RegExp(alternatives.join('|'), 'giu'), REDACTED);
}

/** Forms shorter than this are masked only where they stand alone. */
const SHORT_FORM = 4;

/** A URL's userinfo password: scheme, "//", user name and ":" kept (group 1), the password up to "@" masked. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]+@/gi;

function encodedForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const url = encodeURIComponent(secret);
  const strictUrl = url.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const forms = [secret, json, json.replace(/\//g, '\\/'), url, strictUrl];
  const bytes = Buffer.from(secret, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    // With `offset` bytes before it, the secret's own base64 characters start after the first group
    // (which mixes in the unknown bytes) and end before the last partial group.
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const from = offset === 0 ? 0 : 4;
    const to = Math.floor((offset + bytes.length) / 3) * 4;
    const core = encoded.slice(from, to);
    // A base64 form is found inside a longer encoded text, never alone: too short a one would mask
    // letters of every other base64 text instead.
    if (core.length >= SHORT_FORM) forms.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return forms;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
