import { describe, expect, it } from 'vitest';
import { modelCard } from '../../src/engine/report/model-card';
import { minimalEval } from '../integration/eval-support';

const base = minimalEval([]);
const file = {
  ...base,
  meta: {
    ...base.meta,
    model: {
      ...base.meta.model,
      metadata: {
        preset: 'small',
        training: { step: 2000, checkpoint: 'last' },
        heldOut: [
          { kernel: 3, model: { psnr: { meanDb: 60.82362351920745 } } },
          { kernel: 7, model: { psnr: { meanDb: 35.148890637881934 } } },
        ],
        tags: ['a', 'b'],
      },
    },
    training: { config: { params: { epochs: 3, lr: 0.001 }, dataset: { path: '/d', width: 448 }, totalSteps: 90 }, steps: [], validation: [] },
  },
};

describe('model card', () => {
  const card = String(modelCard(file));
  const row = (k: string, v: string) => `<tr><th scope="row">${k}</th><td>${v}</td></tr>`;

  it('is a table with one row per field, nested keys joined, and no raw JSON', () => {
    expect(card).toMatch(/^<table class="model-card">/);
    expect(card).toContain(row('training · step', '2000'));
    expect(card).toContain(row('training · checkpoint', 'last'));
    expect(card).toContain(row('tags', 'a, b'));
    expect(card).toContain(row('data set · width', '448'));
    expect(card).toContain(row('total steps', '90'));
    expect(card).toContain(row('epochs', '3'));
    expect(card).not.toContain('{&quot;');
    expect(card).not.toContain('{"');
  });

  it('lays a list of objects out as a small table, one column per item, numbers shortened', () => {
    const items = /<table class="items">.*?<\/table>/.exec(card)?.[0] ?? '';
    expect(items).toContain('<thead><tr><th></th><th>1</th><th>2</th></tr></thead>');
    expect(items).toContain('<tr><th scope="row">kernel</th><td>3</td><td>7</td></tr>');
    expect(items).toContain('<tr><th scope="row">model · psnr · meanDb</th><td>60.824</td><td>35.149</td></tr>');
  });

  it('leaves out empty groups', () => {
    expect(String(modelCard(base))).not.toContain('Model metadata');
    expect(String(modelCard(base))).not.toContain('Training configuration');
  });
});
