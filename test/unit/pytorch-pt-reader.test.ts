import { describe, expect, it } from 'vitest';
import { unpickle } from '../../src/engine/import/pytorch/unpickle';
import { PtFileError } from '../../src/engine/import/pytorch/zip-entries';
import { parsePt } from '../../src/engine/import/pytorch/read-pt';

/** Pickle bytes from opcodes: strings are BINUNICODE, numbers BININT1. */
function pkl(...parts: Array<number | string | number[]>): Uint8Array {
  const out: number[] = [0x80, 2];
  for (const p of parts) {
    if (typeof p === 'string') {
      const b = new TextEncoder().encode(p);
      out.push(0x58, b.length, 0, 0, 0, ...b);
    } else if (Array.isArray(p)) out.push(...p);
    else out.push(0x4b, p);
  }
  out.push(0x2e);
  return Uint8Array.from(out);
}
const MARK = [0x28];
const TUPLE = [0x74];
const EMPTY_DICT = [0x7d];
const SETITEMS = [0x75];
const EMPTY_LIST = [0x5d];
const APPENDS = [0x65];

describe('unpickle (torch.save data.pkl)', () => {
  it('reads dicts, MARK-tuples and lists nested in each other', () => {
    // {'a': (1, 2), 'b': [3, ('x',)]}
    const bytes = pkl(EMPTY_DICT, MARK, 'a', MARK, 1, 2, TUPLE, 'b', EMPTY_LIST, MARK, 3, MARK, 'x', TUPLE, APPENDS, SETITEMS);
    expect(unpickle(bytes, () => undefined, 'f.pt')).toEqual({ a: [1, 2], b: [3, ['x']] });
  });

  it('refuses classes outside tensors and plain data, naming them', () => {
    const global = [0x63, ...new TextEncoder().encode('os\nsystem\n')];
    expect(() => unpickle(pkl(global), () => undefined, 'evil.pt')).toThrow('evil.pt: cannot read its data.pkl: it refers to os.system');
  });

  it('a pickle cut short is an error naming the file', () => {
    const bytes = pkl(EMPTY_DICT, MARK, 'abc');
    expect(() => unpickle(bytes.subarray(0, 8), () => undefined, 'cut.pt')).toThrow('cut.pt: cannot read its data.pkl: it ends early (truncated)');
  });

  it('a file that is not a zip, or has lost its end, says so with its name', () => {
    expect(() => parsePt(new TextEncoder().encode('hello, not a checkpoint at all'), 'x.pt')).toThrow(PtFileError);
    expect(() => parsePt(new TextEncoder().encode('hello, not a checkpoint at all'), 'x.pt')).toThrow('x.pt is not a complete PyTorch checkpoint');
    const zipStart = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...new Array<number>(40).fill(0)]);
    expect(() => parsePt(zipStart, 'y.pt')).toThrow('y.pt is not a complete PyTorch checkpoint: its zip directory is missing (the file is truncated');
  });
});
