import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PARAMETER_SET_SCHEMA_VERSION, sealParameterSet } from '../../core/live/parameterSet.ts';
import { ApplyRequestSchema, BOT_PATHS } from '../../shared/botProtocol.ts';
import { botProtocolOpenApi, botProtocolYaml } from '../../shared/botProtocolOpenApi.ts';

const DOCUMENT = new URL('../../../docs/bot-protocol.yaml', import.meta.url);

describe('bot protocol: the OpenAPI document and the zod schemas agree', () => {
  it('docs/bot-protocol.yaml is what the schemas generate (regenerate: npx tsx scripts/write-bot-protocol.ts)', () => {
    expect(readFileSync(DOCUMENT, 'utf8')).toBe(botProtocolYaml());
  });

  it('the YAML reads back as the OpenAPI 3.1 object, with every protocol path', () => {
    // js-yaml (a dev dependency, untyped) only reads the document back here.
    const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
    const parsed = yaml.load(readFileSync(DOCUMENT, 'utf8')) as { openapi: string; paths: object };
    expect(parsed).toEqual(botProtocolOpenApi());
    expect(parsed.openapi).toBe('3.1.0');
    expect(Object.keys(parsed.paths).sort()).toEqual(Object.values(BOT_PATHS).sort());
  });

  it('an apply request validates; a bad one is refused naming the field', () => {
    const set = sealParameterSet({
      schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
      strategy: { name: 'sma-cross', version: '1' },
      parameters: { fast: 10, slow: 30 },
      limits: { maxPositionFraction: 1, maxDailyLoss: 0.05, maxOrdersPerDay: 10 },
      provenance: { kind: 'manual', note: 'n', engineVersion: '0.1.0' },
    });
    const request = {
      changeId: 'c1',
      version: 1,
      set,
      approval: { id: 'a1', approvedBy: ['ana'], at: 1, note: 'ok' },
    };
    expect(ApplyRequestSchema.parse(request).policy).toBe('keep');
    const bad = ApplyRequestSchema.safeParse({
      ...request,
      set: { ...set, limits: { ...set.limits, maxOrdersPerDay: 0 } },
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].path).toEqual(['set', 'limits', 'maxOrdersPerDay']);
    expect(ApplyRequestSchema.safeParse({ ...request, approval: undefined }).success).toBe(false);
  });
});
