import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { APP_CHANNELS } from './appChannels.ts';
import {
  appContract,
  AppInfo,
  EVENT_CHANNELS,
  REQUEST_CHANNELS,
  eventSchemas,
  requestSchemas,
} from './contract.ts';
import type { DomainContract } from './domain.ts';
import { InputError } from './errors.ts';
import { parseOrThrow } from './validation.ts';

/**
 * The paths of every object inside a schema that would accept a field it does not know. Walks zod 4's
 * definitions, so a nested object (a study's `data`, a sampler's options object) is found too.
 */
function looseObjects(schema: z.ZodType, path: string, seen = new Set<z.ZodType>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  const walk = (child: unknown, at: string): string[] => looseObjects(child as z.ZodType, at, seen);
  switch (def.type) {
    case 'object': {
      const catchall = def['catchall'] as z.ZodType | undefined;
      const own = catchall?._zod.def.type === 'never' ? [] : [path || '(request)'];
      const shape = def['shape'] as Record<string, z.ZodType>;
      return [...own, ...Object.entries(shape).flatMap(([key, child]) => walk(child, `${path}.${key}`))];
    }
    case 'array':
      return walk(def['element'], `${path}[]`);
    case 'union':
      return (def['options'] as z.ZodType[]).flatMap((option, i) => walk(option, `${path}|${i}`));
    case 'intersection':
      return [...walk(def['left'], path), ...walk(def['right'], path)];
    case 'record':
      return walk(def['valueType'], `${path}{}`);
    case 'pipe':
      return [...walk(def['in'], path), ...walk(def['out'], path)];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return walk(def['innerType'], path);
    default:
      return [];
  }
}

describe('request schemas', () => {
  it('refuse unknown fields at every depth, on every channel', () => {
    const loose = REQUEST_CHANNELS.flatMap((channel) =>
      looseObjects(requestSchemas[channel].input, '').map((path) => `${channel}: ${path}`),
    );
    expect(loose).toEqual([]);
  });

  it('the walker finds a loose object nested in a strict one (so the check above can fail)', () => {
    const nested = z.strictObject({ data: z.array(z.object({ x: z.number() })).optional() });
    expect(looseObjects(nested, '')).toEqual(['.data[]']);
  });

  it('a misspelled field is refused by name, not run with its default', () => {
    const request = {
      symbol: 'DEMO',
      timeframe: '1d',
      strategy: 'smaCross',
      params: {},
      comission: 0.002,
    };
    let refusal: unknown;
    try {
      parseOrThrow(requestSchemas['backtest:run'].input, request, 'request to "backtest:run"');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(InputError);
    expect((refusal as InputError).field).toBe('comission');
    expect((refusal as InputError).message).toContain('comission: unknown field');
  });

  it('an unknown field deep in a request is named by its full path', () => {
    const result = (() => {
      try {
        parseOrThrow(
          requestSchemas['optimize:start'].input,
          {
            strategy: 'smaCross',
            data: { symbol: 'DEMO', timeframes: ['1d'], strat: 0 },
            objectives: [{ metric: 'sharpeRatio' }],
            trials: 10,
          },
          'request',
        );
      } catch (error) {
        return error as InputError;
      }
      return null;
    })();
    expect(result?.field).toBe('data.strat');
  });
});

describe('per-domain registration', () => {
  it("every channel belongs to one domain: no name twice, and the names are the schema maps' keys", () => {
    // A name in two domains would compile (the maps are spread) and one domain's schema would silently win.
    expect(new Set(REQUEST_CHANNELS).size).toBe(REQUEST_CHANNELS.length);
    expect(new Set(EVENT_CHANNELS).size).toBe(EVENT_CHANNELS.length);
    expect(Object.keys(requestSchemas).sort()).toEqual([...REQUEST_CHANNELS].sort());
    expect(Object.keys(eventSchemas).sort()).toEqual([...EVENT_CHANNELS].sort());
  });

  it("a domain's schemas must cover exactly its channel names (checked when compiling)", () => {
    const info = { input: z.strictObject({}), output: AppInfo };
    const missing = {
      // @ts-expect-error `job:cancel` is one of the domain's names and has no schema
      requests: { 'app:info': info },
      events: appContract.events,
    } satisfies DomainContract<typeof APP_CHANNELS>;
    const extra = {
      requests: {
        ...appContract.requests,
        // @ts-expect-error `app:nope` is not one of the domain's names
        'app:nope': info,
      },
      events: appContract.events,
    } satisfies DomainContract<typeof APP_CHANNELS>;
    expect(Object.keys(missing.requests)).not.toContain('job:cancel');
    expect(Object.keys(extra.requests)).toContain('app:nope');
  });
});
