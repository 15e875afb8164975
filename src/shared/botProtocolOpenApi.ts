/**
 * The OpenAPI 3.1 document of the bot protocol, built from the zod schemas of botProtocol.ts so the two
 * cannot disagree: docs/bot-protocol.yaml is this document as YAML (`npx tsx scripts/write-bot-protocol.ts`
 * writes it; a test fails when the file and the schemas part).
 */
import { z } from 'zod';
import {
  ApplyRequestSchema,
  ApplyResponseSchema,
  BOT_PATHS,
  BOT_PROTOCOL,
  BotErrorSchema,
  HaltRequestSchema,
  HeartbeatRequestSchema,
  HeartbeatResponseSchema,
  MAX_REPORT_BARS,
  MAX_REPORT_FILLS,
  ReportsSchema,
  ResumeRequestSchema,
  SIGNATURE_HEADERS,
  StatusSchema,
} from './botProtocol.ts';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const COMPONENTS = {
  ApplyRequest: ApplyRequestSchema,
  ApplyResponse: ApplyResponseSchema,
  Status: StatusSchema,
  Reports: ReportsSchema,
  HeartbeatRequest: HeartbeatRequestSchema,
  HeartbeatResponse: HeartbeatResponseSchema,
  HaltRequest: HaltRequestSchema,
  ResumeRequest: ResumeRequestSchema,
  Error: BotErrorSchema,
} as const;

type ComponentName = keyof typeof COMPONENTS;

/** The JSON Schema (2020-12, as OpenAPI 3.1 uses) a request body must satisfy / a response satisfies. */
export function componentSchema(name: ComponentName): Json {
  const io = name.endsWith('Request') ? 'input' : 'output';
  // The dialect is the document's (OpenAPI 3.1: JSON Schema 2020-12), not repeated per schema.
  const schema: Record<string, unknown> = {
    ...z.toJSONSchema(COMPONENTS[name], { io, unrepresentable: 'any' }),
  };
  delete schema.$schema;
  return schema as Json;
}

const ref = (name: ComponentName): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (name: ComponentName): Json => ({ content: { 'application/json': { schema: ref(name) } } });

const REFUSED: Json = {
  description:
    'Refused signature: missing-headers, stale-timestamp (outside the 30 s window), reused-nonce or bad-signature (forged, or the body was altered)',
  ...(json('Error') as object),
};

function operation(
  summary: string,
  response: ComponentName,
  request?: ComponentName,
  extra: Json = {},
): Json {
  return {
    summary,
    ...(request === undefined ? {} : { requestBody: { required: true, ...(json(request) as object) } }),
    responses: {
      '200': { description: 'OK', ...(json(response) as object) },
      '400': {
        description: 'The body does not match the schema (the message names the field)',
        ...(json('Error') as object),
      },
      '401': REFUSED,
      ...(extra as object),
    },
  };
}

export function botProtocolOpenApi(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Regimen bot protocol',
      version: BOT_PROTOCOL,
      description: [
        "How the Regimen workstation changes a running trading bot's parameters: validated data, never code.",
        `Every request is signed: ${SIGNATURE_HEADERS.signature} is the hex HMAC-SHA-256, keyed by the shared bot secret, of`,
        'METHOD, path (with query), timestamp (epoch ms), nonce and the hex SHA-256 of the body, one per line.',
        'A bot refuses a timestamp more than 30 s from its clock and a nonce it has seen inside that window.',
        'Bots listen on loopback; a non-loopback address is served over TLS only.',
      ].join('\n'),
    },
    components: {
      securitySchemes: {
        signature: { type: 'apiKey', in: 'header', name: SIGNATURE_HEADERS.signature },
        timestamp: { type: 'apiKey', in: 'header', name: SIGNATURE_HEADERS.timestamp },
        nonce: { type: 'apiKey', in: 'header', name: SIGNATURE_HEADERS.nonce },
      },
      schemas: Object.fromEntries(
        (Object.keys(COMPONENTS) as ComponentName[]).map((name) => [name, componentSchema(name)]),
      ),
    },
    security: [{ signature: [], timestamp: [], nonce: [] }],
    paths: {
      [BOT_PATHS.apply]: {
        post: operation(
          'Deliver an approved parameter set; it takes over at the next bar boundary. A repeat of an applied change is a no-op (duplicate); an older version is refused (409).',
          'ApplyResponse',
          'ApplyRequest',
          {
            '409': {
              description:
                'Refused delivery: stale-version, version-conflict, change-id-conflict, or invalid-set (hash mismatch, unknown strategy or version, parameter out of limits, bad ramp, or the strategy throws in create or init for the set parameters)',
              ...(json('Error') as object),
            },
          },
        ),
      },
      [BOT_PATHS.status]: {
        get: operation('Active version hash, positions, equity, ramp and halt state', 'Status'),
      },
      [BOT_PATHS.reports]: {
        get: {
          ...(operation(
            `Fills, equity and bars seen since a point: at most ${MAX_REPORT_FILLS} fills and ${MAX_REPORT_BARS} bars an answer (ask again from nextFill and the bars received); fills and bars older than the bot holds are gone, the answer starts at the oldest held and numbers it (firstFill, firstBar). A bot that executes on a broker reports the broker's fills, each with the version that decided it`,
            'Reports',
          ) as object),
          parameters: [
            { name: 'fillsFrom', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
            { name: 'barsFrom', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
          ],
        },
      },
      [BOT_PATHS.heartbeat]: {
        post: operation(
          'The workstation is alive; without one for timeoutMs the bot halts on its own (onTimeout mode)',
          'HeartbeatResponse',
          'HeartbeatRequest',
        ),
      },
      [BOT_PATHS.halt]: {
        post: operation('Halt: no-new-entries, reduce-only or flatten', 'Status', 'HaltRequest'),
      },
      [BOT_PATHS.resume]: {
        post: operation('End a halt', 'Status', 'ResumeRequest'),
      },
    },
  };
}

const PLAIN_KEY = /^[A-Za-z_$/][A-Za-z0-9_$/.{}-]*$/;

/** YAML for JSON data: block style, every string double-quoted (YAML's superset of JSON strings). */
export function toYaml(value: Json, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []';
    return value.map((item) => `\n${indent}-${toYaml(item, `${indent}  `).replace(/^\n\s*/, ' ')}`).join('');
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return ' {}';
    return entries
      .map(
        ([key, item]) =>
          `\n${indent}${PLAIN_KEY.test(key) ? key : JSON.stringify(key)}:${toYaml(item, `${indent}  `)}`,
      )
      .join('');
  }
  return ` ${JSON.stringify(value)}`;
}

export function botProtocolYaml(): string {
  return `# Generated from src/shared/botProtocol.ts by scripts/write-bot-protocol.ts: edit the schemas, not this file.${toYaml(botProtocolOpenApi())}\n`;
}
