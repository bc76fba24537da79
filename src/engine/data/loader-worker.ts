import { parentPort } from 'node:worker_threads';
import { buildBatch, type PairPlan } from './pair-batch';
import type { ModelInput } from '../restore/model-input';

/**
 * The pair loader's worker thread: decodes, crops and converts batches off the training thread.
 * Requests are answered in any order (each carries its id); the buffers are transferred, not copied.
 */
export interface BatchRequest {
  type: 'batch';
  requestId: number;
  datasetDir: string;
  plans: PairPlan[];
  width: number;
  height: number;
  input: ModelInput;
}
export type BatchReply =
  | { type: 'batch'; requestId: number; blurred: Float32Array; sharp: Float32Array }
  | { type: 'error'; requestId: number; message: string };

const port = parentPort;
if (!port) throw new Error('loader-worker must run in a worker thread');
port.on('message', (req: BatchRequest) => {
  buildBatch(req.datasetDir, req.plans, req.width, req.height, req.input).then(
    ({ blurred, sharp }) => {
      const reply: BatchReply = { type: 'batch', requestId: req.requestId, blurred, sharp };
      port.postMessage(reply, [blurred.buffer as ArrayBuffer, sharp.buffer as ArrayBuffer]);
    },
    (err: unknown) => {
      const reply: BatchReply = { type: 'error', requestId: req.requestId, message: err instanceof Error ? err.message : String(err) };
      port.postMessage(reply);
    },
  );
});
