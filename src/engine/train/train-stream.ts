import type { PairBatch as LoaderBatch, PairLoader } from '../data/loader';
import type { PairBatch } from './train-step';

/**
 * The endless stream of training batches the loop consumes: the data loader's epochs one after
 * another. The loader's plan (order, crops, flips) is a pure function of (seed, epoch), so the
 * position (epoch, batch index) is the data stream's whole random state: a checkpoint stores it
 * and a resumed run gets exactly the batches an uninterrupted run would have got.
 */
export interface DataPosition {
  /** the loader's epoch and the index of the next batch in it */
  epoch: number;
  batch: number;
}

export interface StreamBatch extends PairBatch {
  /** where the stream stands after this batch (saved once the batch was trained on) */
  next: DataPosition;
  items: Array<{ id: string; level: number }>;
}

export class TrainStream {
  private epoch: number;
  private generator: AsyncGenerator<LoaderBatch> | null = null;
  private fromBatch: number;

  constructor(
    private readonly loader: PairLoader,
    start: DataPosition,
  ) {
    // A data set that shrank since the checkpoint can leave the position past its epoch's end: go on with the next epoch.
    const past = start.batch >= loader.batchesPerEpoch;
    this.epoch = past ? start.epoch + 1 : start.epoch;
    this.fromBatch = past ? 0 : start.batch;
  }

  async next(): Promise<StreamBatch> {
    for (;;) {
      this.generator ??= this.loader.batches(this.epoch, this.fromBatch);
      const r = await this.generator.next();
      if (!r.done) {
        const b = r.value;
        const last = b.index + 1 >= this.loader.batchesPerEpoch;
        const [n, height, width] = b.shape;
        return {
          blurred: b.blurred,
          sharp: b.sharp,
          n,
          height,
          width,
          items: b.items.map(({ id, level }) => ({ id, level })),
          next: last ? { epoch: b.epoch + 1, batch: 0 } : { epoch: b.epoch, batch: b.index + 1 },
        };
      }
      this.epoch += 1;
      this.fromBatch = 0;
      this.generator = null;
    }
  }

  /** Ends the current epoch's generator; the loader itself belongs to the caller. */
  async close(): Promise<void> {
    await this.generator?.return(undefined);
    this.generator = null;
  }
}
