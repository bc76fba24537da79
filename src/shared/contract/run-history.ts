import { z } from 'zod';
import { events } from './events';

/**
 * A training run's chart history (`history.jsonl` in the run folder, answered by `runs.history`): the
 * train.step / train.validation / train.checkpoint events of the run, each line `{ event, payload }` with
 * the event's own payload schema, so a reopened run redraws from exactly what the live charts got.
 */
export const HISTORY_EVENTS = ['train.step', 'train.validation', 'train.checkpoint'] as const;
export type HistoryEvent = (typeof HISTORY_EVENTS)[number];

export const runHistoryEntry = z.discriminatedUnion('event', [
  z.strictObject({ event: z.literal('train.step'), payload: events['train.step'] }),
  z.strictObject({ event: z.literal('train.validation'), payload: events['train.validation'] }),
  z.strictObject({ event: z.literal('train.checkpoint'), payload: events['train.checkpoint'] }),
]);
/** One history entry: checking `event` narrows `payload`. */
export type RunHistoryEntry = z.output<typeof runHistoryEntry>;

/** The entry if `value` is a valid one, else null (a line of an older or damaged history is skipped, not fatal). */
export function readRunHistoryEntry(value: unknown): RunHistoryEntry | null {
  const parsed = runHistoryEntry.safeParse(value);
  return parsed.success ? parsed.data : null;
}
