import { PtFileError } from './zip-entries';

/**
 * A restricted unpickler for torch.save's data.pkl (protocols 2–5): plain data (dicts, lists, tuples,
 * numbers, strings, booleans, None), OrderedDict, and float32 tensors rebuilt from the archive's storages.
 * Any other class is refused by name, so a checkpoint can never run code here.
 */
export interface PtTensor {
  kind: 'tensor';
  dtype: 'float32';
  shape: number[];
  values: Float32Array;
}
export type PtValue = null | boolean | number | string | PtValue[] | { [key: string]: PtValue } | PtTensor;

interface StorageRef {
  kind: 'storage';
  key: string;
  dtype: string;
}
type Global = { kind: 'global'; name: string };
type Stack = unknown[];
const MARK = Symbol('mark');

const STORAGE_DTYPES: Record<string, string> = { 'torch.FloatStorage': 'float32', 'torch.DoubleStorage': 'float64', 'torch.LongStorage': 'int64', 'torch.IntStorage': 'int32' };
const ALLOWED = new Set(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter', ...Object.keys(STORAGE_DTYPES)]);

export function unpickle(pkl: Uint8Array, storage: (key: string) => Uint8Array | undefined, file: string): PtValue {
  const view = new DataView(pkl.buffer, pkl.byteOffset, pkl.byteLength);
  const text = new TextDecoder();
  const memo = new Map<number, unknown>();
  let stack: Stack = [];
  const marks: Stack[] = [];
  let p = 0;
  const fail = (why: string): never => {
    throw new PtFileError(`${file}: cannot read its data.pkl: ${why}`, file);
  };
  const need = (n: number) => {
    if (p + n > pkl.length) fail('it ends early (truncated)');
  };
  const u8 = () => (need(1), pkl[p++]!);
  const u16 = () => (need(2), (p += 2), view.getUint16(p - 2, true));
  const u32 = () => (need(4), (p += 4), view.getUint32(p - 4, true));
  const bytesOf = (n: number) => (need(n), (p += n), pkl.subarray(p - n, p));
  const line = () => {
    const end = pkl.indexOf(0x0a, p);
    if (end < 0) fail('it ends early (truncated)');
    const s = text.decode(pkl.subarray(p, end));
    p = end + 1;
    return s;
  };
  const pop = () => (stack.length === 0 ? fail('stack underflow') : stack.pop());
  const popMark = (): Stack => {
    const items = stack;
    stack = marks.pop() ?? fail('no mark on the stack');
    return items;
  };
  const top = () => (stack.length === 0 ? fail('stack underflow') : stack[stack.length - 1]);
  const setItems = (target: unknown, kv: Stack) => {
    if (typeof target !== 'object' || target === null || Array.isArray(target)) fail('SETITEMS on something that is not a dict');
    for (let i = 0; i + 1 < kv.length; i += 2) (target as Record<string, unknown>)[String(kv[i])] = kv[i + 1];
  };
  const globalOf = (name: string): Global => {
    if (!ALLOWED.has(name)) fail(`it refers to ${name}, which a checkpoint of train.py never contains (only tensors and plain data are read)`);
    return { kind: 'global', name };
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: bytesOf(8); break; // FRAME
      case 0x2e: return finish(pop(), file); // STOP
      case 0x28: marks.push(stack); stack = []; break; // MARK
      case 0x7d: stack.push({}); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: need(4); stack.push(view.getInt32(p, true)); p += 4; break; // BININT
      case 0x8a: { // LONG1
        const n = u8();
        const b = bytesOf(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(Number(v));
        break;
      }
      case 0x47: need(8); stack.push(view.getFloat64(p, false)); p += 8; break; // BINFLOAT (big-endian)
      case 0x58: { const n = u32(); stack.push(text.decode(bytesOf(n))); break; } // BINUNICODE
      case 0x8c: { const n = u8(); stack.push(text.decode(bytesOf(n))); break; } // SHORT_BINUNICODE
      case 0x55: { const n = u8(); stack.push(text.decode(bytesOf(n))); break; } // SHORT_BINSTRING
      case 0x43: { const n = u8(); stack.push(bytesOf(n).slice()); break; } // SHORT_BINBYTES
      case 0x42: { const n = u32(); stack.push(bytesOf(n).slice()); break; } // BINBYTES
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(memo.get(u8())); break; // BINGET
      case 0x6a: stack.push(memo.get(u32())); break; // LONG_BINGET
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push([pop(), b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push([pop(), b, c]); break; } // TUPLE3
      // popMark() replaces \`stack\`: take the items first, then push onto the outer stack.
      case 0x74: { const items = popMark(); stack.push(items); break; } // TUPLE
      case 0x6c: { const items = popMark(); stack.push(items); break; } // LIST
      case 0x61: { const v = pop(); (top() as unknown[]).push(v); break; } // APPEND
      case 0x65: { const items = popMark(); (top() as unknown[]).push(...items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
      case 0x63: { const mod = line(); const name = line(); stack.push(globalOf(`${mod}.${name}`)); break; } // GLOBAL
      case 0x93: { const name = pop(); const mod = pop(); stack.push(globalOf(`${String(mod)}.${String(name)}`)); break; } // STACK_GLOBAL
      case 0x51: stack.push(persistent(pop())); break; // BINPERSID
      case 0x52: { const args = pop() as unknown[]; const fn = pop() as Global; stack.push(reduce(fn, args)); break; } // REDUCE
      case 0x81: { const args = pop() as unknown[]; const cls = pop() as Global; stack.push(reduce(cls, args)); break; } // NEWOBJ
      case 0x62: pop(); break; // BUILD: state of an OrderedDict / tensor (hooks): ignored
      default: fail(`unsupported pickle opcode 0x${op.toString(16)} at byte ${p - 1}`);
    }
  }

  function persistent(ref: unknown): StorageRef {
    const pid = Array.isArray(ref) ? ref : [];
    if (pid[0] !== 'storage') fail('an unknown persistent reference');
    const type = pid[1] as Global | string;
    const name = typeof type === 'string' ? type : type.name;
    return { kind: 'storage', key: String(pid[2]), dtype: STORAGE_DTYPES[name] ?? name };
  }

  function reduce(fn: Global, args: unknown[]): unknown {
    if (fn?.kind !== 'global') fail('REDUCE without a callable');
    if (fn.name === 'collections.OrderedDict') return {};
    if (fn.name === 'torch._utils._rebuild_parameter') return args[0];
    if (fn.name === 'torch._utils._rebuild_tensor_v2') return rebuildTensor(args);
    return fail(`cannot build ${fn.name}`);
  }

  function rebuildTensor(args: unknown[]): PtTensor {
    const [ref, offset, size, stride] = args as [StorageRef, number, number[], number[]];
    if (ref?.kind !== 'storage') fail('a tensor without storage');
    if (ref.dtype !== 'float32') fail(`a tensor of ${ref.dtype}; train.py's checkpoints hold float32 tensors only`);
    const raw = storage(ref.key) ?? fail(`its storage data/${ref.key} is missing from the archive`);
    const shape = [...size];
    const n = shape.reduce((a, b) => a * b, 1);
    let expect = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (shape[d]! > 1 && stride[d] !== expect) fail(`a non-contiguous tensor of shape [${shape.join(', ')}]`);
      expect *= shape[d]!;
    }
    if ((offset + n) * 4 > raw.length) fail(`storage data/${ref.key} has ${raw.length} bytes, a tensor of shape [${shape.join(', ')}] needs ${(offset + n) * 4} (truncated)`);
    const dv = new DataView(raw.buffer, raw.byteOffset + offset * 4, n * 4);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = dv.getFloat32(i * 4, true);
    return { kind: 'tensor', dtype: 'float32', shape, values };
  }
}

function finish(value: unknown, file: string): PtValue {
  if (value && typeof value === 'object' && (value as { kind?: string }).kind === 'global') {
    throw new PtFileError(`${file}: data.pkl's top level is a class, not a checkpoint`, file);
  }
  return value as PtValue;
}

export function isTensor(v: unknown): v is PtTensor {
  return typeof v === 'object' && v !== null && (v as { kind?: string }).kind === 'tensor' && (v as PtTensor).values instanceof Float32Array;
}
