import { describe, expect, expectTypeOf, it } from 'vitest';
import * as contract from '../../src/shared/contract';
import * as engine from '../../src/engine/runtime/report';
import { forgetRuntimeSelection, selectRuntime } from '../../src/engine/runtime/select';

// The engine's runtime report types are the contract's (one declaration); tsc checks the type
// equalities below, so a second hand-written declaration that drifts is a compile error.
describe('runtime report types', () => {
  it('are the contract types, not copies', () => {
    expectTypeOf<engine.RuntimeReport>().toEqualTypeOf<contract.RuntimeReport>();
    expectTypeOf<engine.BackendName>().toEqualTypeOf<contract.BackendName>();
    expectTypeOf<engine.BackendAttempt>().toEqualTypeOf<contract.RuntimeReport['attempts'][number]>();
    expectTypeOf<engine.InferRuntimeReport>().toEqualTypeOf<NonNullable<contract.RuntimeReport['infer']>>();
    expectTypeOf<engine.InferRuntimeName>().toEqualTypeOf<'onnx' | 'tfjs'>();
  });

  it('orders the backends and inference runtimes as the contract enums do', () => {
    expect(engine.BACKEND_ORDER).toEqual(['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu']);
    expect(engine.BACKEND_ORDER).toEqual(contract.backendName.options);
    expect(engine.INFER_RUNTIMES).toEqual(contract.inferRuntimeName.options);
  });

  it('a selection report passes the contract schema', async () => {
    try {
      const report = await selectRuntime({ force: 'cpu' });
      expect(contract.runtimeReport.parse(report)).toEqual(report);
    } finally {
      forgetRuntimeSelection();
    }
  });
});
