import { checkBotSecret, MIN_BOT_SECRET_LENGTH } from '../../../core/live/signing.ts';
import type { DomainHandlers } from '../../../shared/contract.ts';
import { InputError } from '../../../shared/errors.ts';
import type { LIVE_CHANNELS } from '../../../shared/liveChannels.ts';
import { APPROVAL_EVENT_KINDS, type LiveWebhookView } from '../../../shared/liveContract.ts';
import {
  deliverOutside,
  deliverTest,
  forwardOutside,
  OUTSIDE_ALARM_KINDS,
  WEBHOOK_SECRET_ENV,
  WEBHOOK_SECRET_NAME,
  type AlarmWebhookOptions,
  type WebhookDelivery,
} from '../../livebot/alarmWebhook.ts';
import { isLoopbackHost } from '../../livebot/botServer.ts';
import type { SecretStore } from '../../secrets/secretStore.ts';
import type { EventBus } from '../events.ts';
import type { BotRegistry } from './botRegistry.ts';

export interface AlarmWebhookDeps {
  readonly registry: BotRegistry;
  readonly secrets: SecretStore;
  readonly env: NodeJS.ProcessEnv;
  readonly events: EventBus;
  /** Retry pacing (tests shorten it). */
  readonly backoffMs?: number;
}

type WebhookChannels = 'live:webhook' | 'live:webhook-set' | 'live:webhook-test';

/**
 * The alarm webhook's setting (its URL beside the bots, its signing secret in the keychain or
 * REGIMEN_WEBHOOK_SECRET) and its delivery: each alarm that goes outside and each approval event is
 * posted, one at a time so they arrive in the order raised, and the last delivery is reported for the
 * Live view.
 */
export function createAlarmWebhook(deps: AlarmWebhookDeps): {
  handlers: Pick<DomainHandlers<typeof LIVE_CHANNELS>, WebhookChannels>;
  close(): void;
  /** Settles when every alarm raised so far has been delivered or given up on. */
  idle(): Promise<void>;
} {
  let lastDelivery: WebhookDelivery | null = null;
  let queue: Promise<void> = Promise.resolve();
  /**
   * The signing secret, the variable's first. A short one is refused naming the variable (never the
   * value): the keychain's was checked when it was set (the contract's minimum), the variable never was.
   */
  const secret = async (): Promise<string | null> => {
    const fromEnv = deps.env[WEBHOOK_SECRET_ENV];
    if (fromEnv === undefined || fromEnv === '') return deps.secrets.get(WEBHOOK_SECRET_NAME);
    try {
      checkBotSecret(fromEnv, `in ${WEBHOOK_SECRET_ENV}`, 'the webhook signing secret');
    } catch (error) {
      throw new InputError(error instanceof Error ? error.message : String(error), 'secret');
    }
    return fromEnv;
  };
  const view = async (): Promise<LiveWebhookView> => ({
    url: deps.registry.webhookUrl(),
    secretSet: (await secret()) !== null,
    kinds: [...OUTSIDE_ALARM_KINDS, ...APPROVAL_EVENT_KINDS],
    lastDelivery,
  });
  /** Queued behind the alarms before it, so deliveries keep the order they were raised in. */
  const deliver = (
    about: Pick<WebhookDelivery, 'kind' | 'bot'>,
    post: (options: AlarmWebhookOptions) => Promise<WebhookDelivery>,
  ): Promise<void> => {
    queue = queue.then(async () => {
      const url = deps.registry.webhookUrl();
      if (url === null) return;
      let key: string | null;
      try {
        key = await secret();
      } catch (error) {
        // Nothing is signed with a secret too short to be one: the delivery says why, and the queue goes on.
        lastDelivery = {
          kind: about.kind,
          bot: about.bot,
          at: Date.now(),
          status: null,
          error: error instanceof Error ? error.message : String(error),
        };
        return;
      }
      if (key === null) return;
      lastDelivery = await post({
        url,
        secret: key,
        ...(deps.backoffMs === undefined ? {} : { backoffMs: deps.backoffMs }),
      });
    });
    return queue;
  };
  const unsubscribe = forwardOutside(deps.events, (event) => {
    void deliver(event, (options) => deliverOutside(options, event));
  });
  return {
    handlers: {
      'live:webhook': view,
      'live:webhook-set': async ({ url, secret: given }) => {
        if (url === null || url === '') {
          deps.registry.setWebhookUrl(null);
          return view();
        }
        let parsed: URL;
        try {
          parsed = new URL(url);
        } catch {
          throw new InputError(`"${url}" is not a URL such as https://hooks.example.com/regimen`, 'url');
        }
        // A user or password in the URL would be stored in live-bots.json and shown in every view of
        // the webhook; the receiver checks the signature made with the signing secret instead.
        if (parsed.username !== '' || parsed.password !== '')
          throw new InputError(
            'the webhook URL must not carry a user or password (they would be stored and shown): ' +
              'the receiver verifies the signing secret instead',
            'url',
          );
        const loopback = isLoopbackHost(parsed.hostname);
        if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback))
          throw new InputError('the webhook must be https:// (http:// only to this machine)', 'url');
        if (given !== undefined) await deps.secrets.set(WEBHOOK_SECRET_NAME, given);
        else if ((await secret()) === null)
          throw new InputError(
            `give the signing secret the receiver verifies with (${MIN_BOT_SECRET_LENGTH}+ characters), or set ${WEBHOOK_SECRET_ENV}`,
            'secret',
          );
        deps.registry.setWebhookUrl(parsed.href);
        return view();
      },
      'live:webhook-test': async () => {
        if (deps.registry.webhookUrl() === null)
          throw new InputError('no webhook is set: set its URL first', 'url');
        if ((await secret()) === null)
          throw new InputError(`no signing secret: give one, or set ${WEBHOOK_SECRET_ENV}`, 'secret');
        await deliver({ kind: 'test', bot: '-' }, deliverTest);
        return view();
      },
    },
    close: unsubscribe,
    idle: async () => {
      let current: Promise<void>;
      do {
        current = queue;
        await current;
      } while (current !== queue);
    },
  };
}
