/**
 * The session the live desk reads a bot's candidates in (their scoring windows and the ledger
 * population they stand among): the one the bot's status reports, or Settings' for a bot that reports
 * none. Data and words only (no zod), so the Live view and the CLI say the same sentence.
 */
import type { Session } from '../core/ml/learner/ledger.ts';

export interface DeskSession {
  /** The session the desk uses for the bot. */
  readonly session: Session;
  /** 'bot': its status reports it; 'settings': it reports none, so Settings' session is used. */
  readonly from: 'bot' | 'settings';
  /** Settings' session when the bot was read. */
  readonly settings: Session;
}

export function deskSession(reported: Session | undefined, settings: Session): DeskSession {
  return reported === undefined
    ? { session: settings, from: 'settings', settings }
    : { session: reported, from: 'bot', settings };
}

/**
 * What a trader is told about the session a bot's candidates are read in, in one sentence; null when the
 * bot reports the session Settings name (nothing to tell).
 */
export function deskSessionText(desk: DeskSession): string | null {
  if (desk.from === 'settings')
    return (
      `The bot does not report its trading session: its candidates are read in Settings' session ` +
      `(${desk.settings} hours).`
    );
  if (desk.session === desk.settings) return null;
  return (
    `The bot trades ${desk.session} hours, Settings name ${desk.settings}: ` +
    `its candidates are read in the bot's ${desk.session} hours.`
  );
}
