import { describe, expect, it } from 'vitest';
import { defaultEvalPath, defaultReportName, fileStamp, modelLabel } from '../../src/renderer/src/lib/output-names';

describe('default output names of the Evaluate view', () => {
  const at = new Date(2026, 11, 2, 9, 5, 7); // local time: the stamp is the user's clock

  it('put the evaluation under the data folder, named after model, test set and time', () => {
    expect(fileStamp(at)).toBe('20261202-090507');
    expect(defaultEvalPath('/home/u/.config/deblur-studio', '/data/runs/first', '/mnt/ro/test set', at)).toBe(
      '/home/u/.config/deblur-studio/evaluations/eval-first-on-test-set-20261202-090507.json',
    );
    expect(defaultEvalPath('C:\\Users\\u\\AppData\\deblur', 'default', 'D:\\sets\\val', at)).toBe('C:\\Users\\u\\AppData\\deblur\\evaluations\\eval-default-on-val-20261202-090507.json');
  });

  it('wait for both fields and the data folder', () => {
    expect(defaultEvalPath('', 'default', '/t', at)).toBe('');
    expect(defaultEvalPath('/d', ' ', '/t', at)).toBe('');
    expect(defaultEvalPath('/d', 'default', '', at)).toBe('');
  });

  it('name a checkpoint after its run, and a model folder after itself', () => {
    expect(modelLabel('/runs/first/checkpoints/best')).toBe('first');
    expect(modelLabel('/models/sharp v2/')).toBe('sharp-v2');
    expect(modelLabel('default')).toBe('default');
  });

  it('name a report after its evaluation', () => {
    expect(defaultReportName('/d/evaluations/eval-first-on-val-20261202-090507.json')).toBe('report-first-on-val-20261202-090507');
    expect(defaultReportName('/old/eval.json')).toBe('report-eval');
  });
});
