import type { EventPayload, HistoryEvent } from '../../../shared/contract';
import type { HistoryWriter } from '../history';
import type { TrainingCallback } from './callback';

/** The events a training session sends: the chart events of the run history, and previews. */
export type TrainingEvent = HistoryEvent | 'train.preview';
export type EmitTrainingEvent = <E extends TrainingEvent>(event: E, payload: EventPayload<E>) => void;

/**
 * The run's history (history.jsonl, ../history.ts) as a callback: every event the other callbacks
 * send goes through `emit`, which passes it to the job's listeners and appends the chart events
 * (steps, validations, checkpoints; not previews, which are large) to the history, so a reopened
 * run redraws the same charts.
 */
export class HistoryCallback implements TrainingCallback {
  constructor(
    private readonly writer: Pick<HistoryWriter, 'append' | 'flush' | 'close'>,
    private readonly send: (event: TrainingEvent, payload: unknown) => void,
  ) {}

  readonly emit: EmitTrainingEvent = (event, payload) => {
    this.send(event, payload);
    if (event !== 'train.preview') this.writer.append({ event, payload: payload as Record<string, unknown> });
  };

  /** The history is on disk before the job reports its result. */
  async onTrainEnd(): Promise<void> {
    await this.writer.flush();
  }

  /** Flushes and closes the file; the loop calls it however the session ended. */
  close(): Promise<void> {
    return this.writer.close();
  }
}
