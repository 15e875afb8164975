import { setTimeout as sleep } from 'node:timers/promises';
import { HALT_MODES } from '../../core/live/modes.ts';
import {
  PARAMETER_SET_SCHEMA_VERSION,
  sealParameterSet,
  type StrategyIdentity,
} from '../../core/live/parameterSet.ts';
import { strategyMismatch } from '../../core/live/strategyMatch.ts';
import type { StrategyParams } from '../../core/strategy-api/types.ts';
import {
  BOT_PATHS,
  BOT_PROTOCOL,
  MAX_REPORT_BARS,
  MAX_REPORT_FILLS,
  StatusSchema,
  type ApplyRequest,
  type BotReports,
} from '../../shared/botProtocol.ts';
import { BotRequestError, type BotClient, type RawResponse } from './botClient.ts';

/**
 * `regimen bot conformance --bot URL`: the protocol's mandatory behaviours, checked against any bot (the
 * reference bot in CI, a trader's own before it gets a push). It changes the bot's state (it pushes two
 * versions and halts and resumes it), so run it against a paper or test bot.
 */
export interface ConformanceCheck {
  readonly id: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ConformanceOptions {
  readonly strategy: StrategyIdentity;
  /** Two valid parameter sets of that strategy (the suite pushes both). */
  readonly parameters: readonly [StrategyParams, StrategyParams];
  /** How long to wait for the bot to reach a bar boundary (ms). */
  readonly barWaitMs?: number;
}

const RUN_ID = (): string => `conformance-${Date.now().toString(36)}`;

export async function runConformance(
  client: BotClient,
  options: ConformanceOptions,
): Promise<ConformanceCheck[]> {
  const checks: ConformanceCheck[] = [];
  const check = async (id: string, work: () => Promise<string>): Promise<void> => {
    try {
      checks.push({ id, ok: true, detail: await work() });
    } catch (error) {
      checks.push({ id, ok: false, detail: error instanceof Error ? error.message : String(error) });
    }
  };
  const runId = RUN_ID();
  const request = (
    version: number,
    which: 0 | 1,
    changeId = `${runId}-${version}`,
    strategy: StrategyIdentity = options.strategy,
  ): ApplyRequest => ({
    changeId,
    version,
    set: sealParameterSet({
      schemaVersion: PARAMETER_SET_SCHEMA_VERSION,
      strategy,
      parameters: options.parameters[which],
      limits: { maxPositionFraction: 1, maxDailyLoss: 0.5, maxOrdersPerDay: 10_000 },
      provenance: { kind: 'manual', note: 'conformance suite', engineVersion: BOT_PROTOCOL },
    }),
    policy: 'keep',
    approval: {
      id: `${runId}-approval`,
      approvedBy: ['conformance'],
      at: Date.now(),
      note: 'conformance suite',
    },
  });

  let base = 0;
  await check('status-shape', async () => {
    const raw = await client.send('GET', BOT_PATHS.status);
    expectStatus(raw, 200);
    const parsed = StatusSchema.safeParse(raw.body);
    if (!parsed.success)
      throw new Error(
        `status breaks the schema: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`,
      );
    base = parsed.data.acceptedVersion;
    return `protocol ${parsed.data.protocol}, accepted version ${base}`;
  });

  const probe = JSON.stringify(request(base + 1, 0));
  const refused = (id: string, code: string, send: () => Promise<RawResponse>) =>
    check(id, async () => {
      const response = await send();
      expectStatus(response, 401);
      const got = (response.body as { error?: { code?: string } }).error?.code;
      if (got !== code) throw new Error(`expected refusal code ${code}, got ${String(got)}`);
      return `401 ${code}`;
    });
  await refused('refuses-unsigned', 'missing-headers', () =>
    client.send('POST', BOT_PATHS.apply, probe, { unsigned: true }),
  );
  await refused('refuses-forged', 'bad-signature', () =>
    client.send('POST', BOT_PATHS.apply, probe, { secret: `forged-${runId}-0123456789` }),
  );
  await refused('refuses-altered-body', 'bad-signature', () =>
    client.send('POST', BOT_PATHS.apply, probe, { signedBody: JSON.stringify(request(base + 1, 1)) }),
  );
  await refused('refuses-stale-timestamp', 'stale-timestamp', () =>
    client.send('POST', BOT_PATHS.apply, probe, { timestamp: Date.now() - 45_000 }),
  );
  await check('refuses-replayed-nonce', async () => {
    const nonce = `${runId}-nonce`;
    expectStatus(await client.send('GET', BOT_PATHS.status, '', { nonce }), 200);
    const replay = await client.send('GET', BOT_PATHS.status, '', { nonce });
    expectStatus(replay, 401);
    const code = (replay.body as { error?: { code?: string } }).error?.code;
    if (code !== 'reused-nonce') throw new Error(`expected refusal code reused-nonce, got ${String(code)}`);
    return '401 reused-nonce on the second use';
  });
  await check('refuses-malformed-apply', async () => {
    // Signed and fresh, but with no approver: the body breaks the protocol's schema, whatever the set.
    const valid = request(base + 1, 0);
    const malformed = { ...valid, approval: { ...valid.approval, approvedBy: [] } };
    const response = await client.send('POST', BOT_PATHS.apply, JSON.stringify(malformed));
    expectStatus(response, 400);
    const error = (response.body as { error?: { code?: string; message?: string } }).error;
    if (error?.code !== 'invalid-request' || !error.message?.startsWith('approval.approvedBy'))
      throw new Error(`expected invalid-request naming approval.approvedBy, got ${JSON.stringify(error)}`);
    return `400 ${error.code}: ${error.message}`;
  });
  await check('refusals-change-nothing', async () => {
    const status = await client.status();
    if (status.acceptedVersion !== base)
      throw new Error(`accepted version moved from ${base} to ${status.acceptedVersion}`);
    return `accepted version still ${base}`;
  });

  const newer = request(base + 2, 1);
  await check('apply-accepted', async () => {
    const answer = await client.apply(newer);
    if (answer.result !== 'accepted') throw new Error(`expected accepted, got ${answer.result}`);
    return `version ${answer.version} accepted`;
  });
  await check('apply-idempotent', async () => {
    const answer = await client.apply(newer);
    if (answer.result !== 'duplicate') throw new Error(`a repeat answered ${answer.result}, not duplicate`);
    const status = await client.status();
    if (status.acceptedVersion !== base + 2) throw new Error(`accepted version is ${status.acceptedVersion}`);
    return 'a repeat is a no-op';
  });
  await check('older-version-refused', async () => {
    await expectRefusal(() => client.apply(request(base + 1, 0)), 409);
    await expectRefusal(() => client.apply(request(base + 2, 0, `${runId}-other`)), 409);
    return 'an older version and a second change at the same version: 409';
  });
  await check('tampered-set-refused', async () => {
    const tampered = request(base + 3, 0);
    await expectRefusal(
      () => client.apply({ ...tampered, set: { ...tampered.set, parameters: options.parameters[1] } }),
      409,
      400,
    );
    return 'a set whose hash does not match its content is refused';
  });
  await check('lists-strategies', async () => {
    const listed = (await client.status()).strategies;
    if (listed === undefined) return 'the status lists no strategies (optional): checked on each push only';
    const problem = strategyMismatch(options.strategy, listed);
    if (problem !== undefined) throw new Error(`the status's strategies: ${problem}`);
    return listed
      .map((s) => (s.sourceHash ? `${s.name} (source ${s.sourceHash.slice(0, 12)})` : s.name))
      .join(', ');
  });
  await check('unknown-strategy-refused', async () => {
    const strategy = { name: `absent-${runId}`, version: '1', sourceHash: '0'.repeat(64) };
    await expectRefusal(() => client.apply(request(base + 3, 0, undefined, strategy)), 409, 400);
    return "a set for a strategy the bot does not run (the trader's own, by source hash) is refused";
  });
  await check('applies-at-bar-boundary', async () => {
    const status = await waitFor(client, (s) => s.active?.hash === newer.set.hash, options.barWaitMs);
    return `active ${status.active?.hash.slice(0, 12)} after bar ${status.barsSeen}`;
  });
  for (const mode of HALT_MODES) {
    await check(`halt-${mode}`, async () => {
      const halted = await client.halt(mode, `conformance ${mode}`);
      if (halted.halt?.mode !== mode)
        throw new Error(`status after halt shows ${JSON.stringify(halted.halt)}`);
      let detail = 'reported';
      if (mode === 'flatten') {
        const flat = await waitFor(client, (s) => s.positions.every((p) => p.units === 0), options.barWaitMs);
        detail = `flat by bar ${flat.barsSeen}`;
      }
      const resumed = await client.resume('conformance');
      if (resumed.halt !== null) throw new Error('resume left the halt in place');
      return detail;
    });
  }
  await check('reports-paged', async () => {
    const pages = await walkPages(client);
    const first = await client.reports(0, 0);
    if (first.fills.length > MAX_REPORT_FILLS || first.equity.length > MAX_REPORT_BARS)
      throw new Error(
        `one answer carried ${first.fills.length} fills and ${first.equity.length} bars ` +
          `(at most ${MAX_REPORT_FILLS} and ${MAX_REPORT_BARS})`,
      );
    if (first.nextFill < first.fills.length)
      throw new Error(`nextFill ${first.nextFill} is before the end of the ${first.fills.length} fills sent`);
    numbered(first, 0, 0);
    const next = await client.reports(first.nextFill, first.barsSeen);
    numbered(next, first.nextFill, first.barsSeen);
    if (next.nextFill < first.nextFill)
      throw new Error(`asked from fill ${first.nextFill}, nextFill went back to ${next.nextFill}`);
    const beyond = first.nextFill + MAX_REPORT_FILLS;
    const past = await client.reports(beyond, first.barsSeen + MAX_REPORT_BARS);
    numbered(past, beyond, first.barsSeen + MAX_REPORT_BARS);
    if (past.nextFill > beyond || past.equity.length > 0)
      throw new Error(
        `asked past the end, the bot answered nextFill ${past.nextFill} and ${past.equity.length} bars`,
      );
    return (
      `${first.fills.length} fills and ${first.equity.length} bars in the first page, next from ` +
      `${first.nextFill}; ${pages} pages walked from 0 in order`
    );
  });
  await check('heartbeat', async () => {
    const answer = await client.heartbeat();
    if (!(answer.timeoutMs > 0)) throw new Error(`timeoutMs ${answer.timeoutMs}`);
    return `timeout policy ${answer.timeoutMs} ms`;
  });
  return checks;
}

/** Pages a walk reads at most (the bot may trade on while it is walked, so it need not end). */
const WALK_PAGES = 20;

/**
 * Reads the reports page after page from 0, each asked from where the last ended, as the watcher does:
 * every page is numbered consistently, its bars and equity agree, and no bar or fill comes twice or out
 * of time order (a bot numbering its pages by counting what it sent repeats or skips them once its
 * windows dropped old entries). Answers the number of pages read.
 */
async function walkPages(client: BotClient): Promise<number> {
  let fillsFrom = 0;
  let barsFrom = 0;
  let lastBar = -Infinity;
  let lastFill = -Infinity;
  for (let page = 1; page <= WALK_PAGES; page++) {
    const reports = await client.reports(fillsFrom, barsFrom);
    numbered(reports, fillsFrom, barsFrom);
    const { bars, equity, fills } = reports;
    if (bars !== undefined && bars.some((bar, k) => bar.time !== equity[k]?.time || k >= equity.length))
      throw new Error(`page ${page}: its bars and equity are not the same bars`);
    for (const point of equity) {
      if (!(point.time > lastBar))
        throw new Error(
          `page ${page} (asked from bar ${barsFrom}) sent bar ${point.time} again or out of order`,
        );
      lastBar = point.time;
    }
    for (const fill of fills) {
      if (fill.time < lastFill)
        throw new Error(
          `page ${page} (asked from fill ${fillsFrom}) sent a fill at ${fill.time} out of order`,
        );
      lastFill = fill.time;
    }
    if (fills.length === 0 && equity.length === 0) return page;
    fillsFrom = reports.nextFill;
    barsFrom = (reports.firstBar ?? barsFrom) + equity.length;
  }
  return WALK_PAGES;
}

function expectStatus(response: RawResponse, status: number): void {
  if (response.status !== status)
    throw new Error(`expected HTTP ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
}

async function expectRefusal(call: () => Promise<unknown>, ...statuses: number[]): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (error instanceof BotRequestError && statuses.includes(error.status)) return;
    throw error;
  }
  throw new Error(`expected a refusal (HTTP ${statuses.join(' or ')}), the bot accepted`);
}

async function waitFor(
  client: BotClient,
  done: (status: Awaited<ReturnType<BotClient['status']>>) => boolean,
  timeoutMs = 15_000,
): Promise<Awaited<ReturnType<BotClient['status']>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await client.status();
    if (done(status)) return status;
    if (Date.now() > deadline)
      throw new Error(
        `not reached within ${timeoutMs} ms (bars seen ${status.barsSeen}): does the bot get bars?`,
      );
    await sleep(20);
  }
}

/**
 * A reports answer's own numbers, when it sends them: the fills it sent run from firstFill to nextFill,
 * and neither page starts before what was asked (a caller numbers what it keeps by them).
 */
function numbered(reports: BotReports, fillsFrom: number, barsFrom: number): void {
  const { firstFill, firstBar } = reports;
  if (firstFill !== undefined) {
    if (firstFill + reports.fills.length !== reports.nextFill)
      throw new Error(
        `firstFill ${firstFill} and ${reports.fills.length} fills do not end at nextFill ${reports.nextFill}`,
      );
    if (reports.fills.length > 0 && firstFill < fillsFrom)
      throw new Error(`asked from fill ${fillsFrom}, the answer starts at ${firstFill}`);
  }
  if (firstBar !== undefined) {
    if (firstBar + reports.equity.length > reports.barsSeen)
      throw new Error(
        `firstBar ${firstBar} and ${reports.equity.length} bars run past the ${reports.barsSeen} bars seen`,
      );
    if (reports.equity.length > 0 && firstBar < barsFrom)
      throw new Error(`asked from bar ${barsFrom}, the answer starts at ${firstBar}`);
  }
}
