/**
 * Reads the stored (uncompressed) entries of a zip archive, what torch.save writes: the end-of-central-
 * directory record, the central directory, each entry's local header. A truncated or foreign file is an
 * error that names the file and what is missing; compressed entries are refused (torch never writes them).
 */
export class PtFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'PtFileError';
  }
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;

export function readZipEntries(bytes: Uint8Array, file: string): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => {
    throw new PtFileError(`${file} is not a complete PyTorch checkpoint: ${why}`, file);
  };
  if (bytes.length < 22) fail(`only ${bytes.length} bytes`);
  if (view.getUint32(0, true) !== LOCAL) fail('it is not a zip archive (torch.save format); truncated at the start or another kind of file');
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('its zip directory is missing (the file is truncated: was it copied while it was written?)');
  let count = view.getUint16(eocd + 10, true);
  let dirOffset = view.getUint32(eocd + 16, true);
  if (eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR) {
    const at = Number(view.getBigUint64(eocd - 20 + 8, true));
    if (at + 56 > bytes.length || view.getUint32(at, true) !== ZIP64_EOCD) fail('its zip64 directory record is damaged');
    count = Number(view.getBigUint64(at + 32, true));
    dirOffset = Number(view.getBigUint64(at + 48, true));
  }
  const entries = new Map<string, Uint8Array>();
  let p = dirOffset;
  const decoder = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL) fail(`zip directory entry ${n} is damaged`);
    const method = view.getUint16(p + 10, true);
    let size = view.getUint32(p + 20, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let local = view.getUint32(p + 42, true);
    const name = decoder.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64 sizes/offsets live in the extra field when the 32-bit ones are saturated.
    if (size === 0xffffffff || local === 0xffffffff) {
      let e = p + 46 + nameLen;
      const end = e + extraLen;
      while (e + 4 <= end) {
        const id = view.getUint16(e, true);
        const len = view.getUint16(e + 2, true);
        if (id === 1) {
          let q = e + 4;
          if (view.getUint32(p + 24, true) === 0xffffffff) q += 8; // uncompressed size first
          if (size === 0xffffffff) {
            size = Number(view.getBigUint64(q, true));
            q += 8;
          }
          if (local === 0xffffffff) local = Number(view.getBigUint64(q, true));
        }
        e += 4 + len;
      }
    }
    if (method !== 0) fail(`entry ${name} is compressed (method ${method}); torch.save stores entries uncompressed`);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL) fail(`entry ${name} points outside the file`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + size > bytes.length) fail(`entry ${name} is cut off (${start + size - bytes.length} bytes missing)`);
    entries.set(name, bytes.subarray(start, start + size));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
