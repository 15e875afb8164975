import { resolveDataDir } from '../../../paths.ts';
import type { LiveWebhookView } from '../../../../shared/liveContract.ts';
import { InputError } from '../../../../shared/errors.ts';
import { openSecretStore } from '../../../secrets/secretStore.ts';
import { EventBus } from '../../../services/events.ts';
import { BotRegistry, botRegistryPath } from '../../../services/live/botRegistry.ts';
import { createAlarmWebhook } from '../../../services/live/webhook.ts';
import { requiredOption, stringOption, UsageError, type ParsedArgs } from '../../args.ts';
import type { Command } from '../../command.ts';
import { print } from './desk.ts';

/**
 * `regimen live webhook set | show | clear | test`: the alarm webhook, through the same handlers the app uses.
 * Its signing secret is REGIMEN_WEBHOOK_SECRET or the one in the keychain: never a flag (shell history)
 * and never printed.
 */
async function withWebhook(
  args: ParsedArgs,
  work: (handlers: ReturnType<typeof createAlarmWebhook>['handlers']) => Promise<LiveWebhookView>,
): Promise<LiveWebhookView> {
  const registry = new BotRegistry(botRegistryPath(resolveDataDir(stringOption(args, 'data-dir'))));
  const webhook = createAlarmWebhook({
    registry,
    secrets: await openSecretStore(),
    env: process.env,
    events: new EventBus(),
  });
  try {
    return await work(webhook.handlers);
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(`webhook: ${error.message}`);
    throw error;
  } finally {
    webhook.close();
  }
}

const describe = (view: LiveWebhookView): string =>
  view.url === null
    ? 'no alarm webhook'
    : [
        `alarm webhook: ${view.url} (signing secret ${view.secretSet ? 'set' : 'NOT set'}; sends ${view.kinds.join(', ')})`,
        view.lastDelivery === null
          ? '  no delivery since the server started'
          : `  last delivery: ${view.lastDelivery.kind} for ${view.lastDelivery.bot}, ${view.lastDelivery.error ?? `HTTP ${view.lastDelivery.status}`}`,
      ].join('\n');

const command = (
  usage: string,
  options: Command['options'],
  work: (args: ParsedArgs) => Parameters<typeof withWebhook>[1],
): Command => ({
  usage,
  options,
  run: async (args, io) => {
    const view = await withWebhook(args, work(args));
    print(io, args, view, describe(view));
    return 0;
  },
});

/**
 * The signed `regimen.live.test` the Live view's "Send a test" posts, so a receiver can be checked from
 * a shell: the outcome is printed (the receiver's status or why it was not reached) and sets the exit
 * code; the signing secret is not.
 */
export const liveWebhookTestCommand: Command = {
  usage: '[--json]  (posts a signed regimen.live.test to the webhook set)',
  options: {},
  run: async (args, io) => {
    const view = await withWebhook(args, (h) => h['live:webhook-test']({}));
    const delivery = view.lastDelivery;
    const ok = delivery !== null && delivery.error === null;
    print(
      io,
      args,
      view,
      ok
        ? `test delivered to ${view.url}: HTTP ${delivery.status}`
        : `TEST NOT DELIVERED to ${view.url}: ${delivery?.error ?? 'nothing was sent'}`,
    );
    return ok ? 0 : 1;
  },
};

export const liveWebhookSetCommand = command(
  '--url URL [--json]  (secret: REGIMEN_WEBHOOK_SECRET or the keychain)',
  { url: { type: 'string' } },
  (args) => (h) => h['live:webhook-set']({ url: requiredOption(args, 'url') }),
);
export const liveWebhookShowCommand = command('[--json]', {}, () => (h) => h['live:webhook']({}));
export const liveWebhookClearCommand = command(
  '[--json]',
  {},
  () => (h) => h['live:webhook-set']({ url: null }),
);
