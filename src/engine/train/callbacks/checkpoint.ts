import type { ModelMetadataInput } from '../../../shared/contract';
import type * as tf from '../../models/tf';
import type { Adam } from '../adam';
import { copyCheckpoint, saveCheckpoint } from '../checkpoint';
import type { CheckpointState } from '../checkpoint-state';
import { snapshotAdam } from '../optimizer-state';
import type { CheckpointKind } from '../run-dir';
import type { StepEnd, TrainingCallback, ValidationEnd } from './callback';
import type { EmitTrainingEvent } from './history';

/** `last` is also saved after this long without a save, so a kill loses little even with rare validations. */
export const CHECKPOINT_INTERVAL_MS = 5 * 60 * 1000;

export interface CheckpointOptions {
  jobId: string;
  run: string;
  runDir: string;
  model: tf.LayersModel;
  adam: Adam;
  /** the run's counters, saved as the checkpoint's state.json */
  state: CheckpointState;
  /** what deblur and reports read from a checkpoint's model.json */
  metadata: ModelMetadataInput;
  emit: EmitTrainingEvent;
  /** step of the `last` checkpoint already on disk (a resumed run), null for a fresh run */
  savedStep: number | null;
  /** the saves themselves (../checkpoint.ts); tests pass fakes */
  save?: { last: typeof saveCheckpoint; copy: typeof copyCheckpoint; snapshot: typeof snapshotAdam };
  now?: () => number;
  intervalMs?: number;
}

/**
 * Checkpoints of a training session: `last` after every validation, after CHECKPOINT_INTERVAL_MS
 * without a save, and when the session finishes or is stopped; `best` (a copy of `last`) when a
 * validation improved the PSNR. A step already saved is not saved again. Each save is sent as
 * train.checkpoint.
 */
export class CheckpointCallback implements TrainingCallback {
  private saved: number;
  private lastSave: number;
  private readonly now: () => number;
  private readonly save: NonNullable<CheckpointOptions['save']>;

  constructor(private readonly o: CheckpointOptions) {
    this.saved = o.savedStep ?? -1;
    this.now = o.now ?? (() => performance.now());
    this.lastSave = this.now();
    this.save = o.save ?? { last: saveCheckpoint, copy: copyCheckpoint, snapshot: snapshotAdam };
  }

  /** Step of the `last` checkpoint on disk; -1 before the first save. */
  get savedStep(): number {
    return this.saved;
  }

  async onStepEnd(s: StepEnd): Promise<void> {
    if (!s.validationDue && this.now() - this.lastSave >= (this.o.intervalMs ?? CHECKPOINT_INTERVAL_MS)) await this.saveLast();
  }

  async onValidation(v: ValidationEnd): Promise<void> {
    await this.saveLast();
    if (v.improved) this.emitCheckpoint('best', await this.save.copy(this.o.runDir, 'last', 'best'));
  }

  async onTrainEnd(): Promise<void> {
    await this.saveLast();
  }

  private async saveLast(): Promise<void> {
    const { state } = this.o;
    if (this.saved === state.step) return;
    state.savedAt = new Date().toISOString();
    const optimizer = await this.save.snapshot(this.o.adam, state.lr);
    const dir = await this.save.last(this.o.runDir, 'last', { model: this.o.model, optimizer, state, metadata: this.o.metadata });
    this.saved = state.step;
    this.lastSave = this.now();
    this.emitCheckpoint('last', dir);
  }

  private emitCheckpoint(kind: CheckpointKind, path: string): void {
    this.o.emit('train.checkpoint', { jobId: this.o.jobId, run: this.o.run, step: this.o.state.step, kind, path });
  }
}
