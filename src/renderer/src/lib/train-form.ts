import { defaultLearningRate, lossName, scheduleName, trainParams, type JobParams, type JobParamsInput, type MethodResult } from '../../../shared/contract';
import { formatLevelWeights, parseLevelWeights } from '../../../shared/level-weights';

/**
 * The Train view's form, derived from the contract's trainParams: its defaults, its enums' options, and the
 * conversion both ways (form ↔ params), so each setting is named once here and nowhere else by hand.
 */
type TrainParams = JobParams<'train'>;
type LossName = TrainParams['loss'];
type ScheduleName = TrainParams['schedule'];

/** What the form edits: the train params, with patch split into a size and a whole-frame switch and level weights as text. */
export type TrainForm = Omit<TrainParams, 'patch' | 'levelWeights' | 'init'> & {
  patch: number;
  fullFrame: boolean;
  levelWeights: string;
  /** fine-tuning: the built-in model's weights ('default'), or new ones (null) */
  init: 'default' | null;
};

/** The contract's defaults (paths and run name filled by the view). */
export const TRAIN_DEFAULTS: TrainParams = trainParams.parse({ dataset: '/', runsDir: '/', run: 'defaults' });

export function defaultForm(paths: { dataset: string; runsDir: string; run: string }): TrainForm {
  // every setting has a default, so the form of the defaults is complete
  return { ...(formFromParams(TRAIN_DEFAULTS) as TrainForm), ...paths };
}

/** A form showing `p` (a run's params, or the last training's settings); settings not in `p` are left out. */
export function formFromParams(p: Partial<TrainParams>): Partial<TrainForm> {
  const { patch, levelWeights, init, ...rest } = p;
  const out: Partial<TrainForm> = { ...rest };
  if (patch === null) out.fullFrame = true;
  else if (patch !== undefined) Object.assign(out, { patch, fullFrame: false });
  if (levelWeights !== undefined) out.levelWeights = formatLevelWeights(levelWeights);
  if (init !== undefined) out.init = init === 'default' ? 'default' : null;
  return out;
}

/** The train params the form asks for (checked by the caller with the contract's schema); throws for unreadable level weights. */
export function paramsFromForm(f: TrainForm): JobParamsInput<'train'> {
  const { fullFrame, patch, levelWeights, stepsPerEpoch, validateEvery, dataset, runsDir, run, ...rest } = f;
  return {
    ...rest,
    dataset: dataset.trim(),
    runsDir: runsDir.trim(),
    run: run.trim(),
    patch: fullFrame ? null : patch,
    // an emptied number field reads as null: the engine's default
    stepsPerEpoch: stepsPerEpoch || null,
    validateEvery: validateEvery || null,
    levelWeights: parseLevelWeights(levelWeights),
  };
}

/** The learning rate to show when `init` changes: a rate still on the old default follows to the new one. */
export function learningRateFor(init: 'default' | null, previousInit: 'default' | null, lr: number): number {
  return lr === defaultLearningRate(previousInit) ? defaultLearningRate(init) : lr;
}

const LOSS_LABELS: Record<LossName, string> = { mse: 'MSE (squared)', psnr: 'PSNR (per image)', charbonnier: 'Charbonnier', l1: 'L1 (absolute)' };
const SCHEDULE_LABELS: Record<ScheduleName, string> = { cosine: 'cosine decay', plateau: 'reduce on plateau', constant: 'constant' };
export const LOSS_OPTIONS = lossName.options.map((value) => ({ value, label: LOSS_LABELS[value] }));
export const SCHEDULE_OPTIONS = scheduleName.options.map((value) => ({ value, label: SCHEDULE_LABELS[value] }));

type NumberKey = 'epochs' | 'batch' | 'lr' | 'seed' | 'stepsPerEpoch' | 'validateEvery';
export interface NumberField {
  key: NumberKey;
  id: string;
  label: string;
  min: number;
  step: number | 'any';
  /** shown when empty: the engine's default of a nullable setting */
  placeholder?: string;
  hint?: string;
}
/** The plain number settings, in the order shown; `advanced` ones sit under "Advanced". */
export const NUMBER_FIELDS: { main: NumberField[]; advanced: NumberField[] } = {
  main: [
    { key: 'epochs', id: 'train-epochs', label: 'Epochs', min: 1, step: 1 },
    { key: 'batch', id: 'train-batch', label: 'Batch size', min: 1, step: 1 },
    { key: 'lr', id: 'train-lr', label: 'Learning rate', min: 0, step: 'any' },
    { key: 'seed', id: 'train-seed', label: 'Random seed', min: 0, step: 1 },
  ],
  advanced: [
    { key: 'stepsPerEpoch', id: 'train-steps-per-epoch', label: 'Steps per epoch', min: 1, step: 1, placeholder: 'one pass over the data' },
    { key: 'validateEvery', id: 'train-validate-every', label: 'Validate every (steps)', min: 1, step: 1, placeholder: 'once per epoch' },
  ],
};

/** Fewer training photos than this, from new weights: the form suggests starting from the built-in model. */
export const SMALL_DATASET_PHOTOS = 200;

type Models = MethodResult<'models.list'>;
/** The chosen model and preset in the models list, and whether the preset is over the trainable limit. */
export function presetCheck(models: Models | null, model: string, preset: string) {
  const modelInfo = models?.models.find((m) => m.name === model) ?? null;
  const presetInfo = modelInfo?.presets.find((p) => p.name === preset) ?? null;
  const maxParams = models?.maxParams ?? 15_000_000;
  return { modelInfo, presetInfo, maxParams, tooLarge: presetInfo !== null && presetInfo.params > maxParams };
}
