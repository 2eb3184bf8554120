import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  decodeFloats,
  encodeFloats,
  floatToBfloat16,
  floatToHalf,
  halfToFloat,
  readSafetensors,
  readSafetensorsHeader,
  SafetensorsError,
  writeSafetensors,
  type TensorToWrite,
} from '../../engine/models/safetensors';

let folder: string;
before(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'models-safetensors-'));
});
after(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** A file built by hand: 8-byte length, the header text, then `data`. */
async function rawFile(name: string, header: unknown, data: Uint8Array = new Uint8Array(0)): Promise<string> {
  const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  const file = path.join(folder, name);
  await writeFile(file, Buffer.concat([length, text, data]));
  return file;
}

describe('float conversions', () => {
  test('F16 bit patterns decode to the IEEE half values', () => {
    assert.equal(halfToFloat(0x3c00), 1);
    assert.equal(halfToFloat(0xc000), -2);
    assert.equal(halfToFloat(0x7bff), 65504);
    assert.equal(halfToFloat(0x0001), 2 ** -24);
    assert.equal(halfToFloat(0x0400), 2 ** -14);
    assert.equal(halfToFloat(0x7c00), Infinity);
    assert.equal(halfToFloat(0xfc00), -Infinity);
    assert.ok(Number.isNaN(halfToFloat(0x7e00)));
    assert.ok(Object.is(halfToFloat(0x8000), -0));
  });

  test('float → F16 rounds to nearest even, saturates to infinity, keeps subnormals', () => {
    assert.equal(floatToHalf(1), 0x3c00);
    assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00); // a tie rounds to the even mantissa
    assert.equal(floatToHalf(1 + 3 * 2 ** -11), 0x3c02);
    assert.equal(floatToHalf(65504), 0x7bff);
    assert.equal(floatToHalf(70000), 0x7c00);
    assert.equal(floatToHalf(2 ** -24), 0x0001);
    assert.equal(floatToHalf(2 ** -26), 0x0000);
    assert.equal(floatToHalf(-0.5), 0xb800);
    assert.equal(floatToHalf(NaN) & 0x7c00, 0x7c00);
    for (let bits = 0; bits < 0x7c00; bits += 7) assert.equal(floatToHalf(halfToFloat(bits)), bits, `half ${bits.toString(16)}`);
  });

  test('float → BF16 rounds to nearest even and BF16 decodes as the top half of a float32', () => {
    assert.equal(floatToBfloat16(1), 0x3f80);
    assert.equal(floatToBfloat16(-3), 0xc040);
    assert.equal(floatToBfloat16(1 + 2 ** -8), 0x3f80); // tie → even
    assert.equal(floatToBfloat16(1 + 3 * 2 ** -8), 0x3f82);
    const decoded = decodeFloats('BF16', new Uint8Array([0x80, 0x3f, 0x40, 0xc0]));
    assert.deepEqual([...decoded], [1, -3]);
  });

  test('F32 and F64 decode little-endian bytes', () => {
    const f32 = Buffer.alloc(8);
    f32.writeFloatLE(1.5, 0);
    f32.writeFloatLE(-0.25, 4);
    assert.deepEqual([...decodeFloats('F32', f32)], [1.5, -0.25]);
    const f64 = Buffer.alloc(8);
    f64.writeDoubleLE(0.1, 0);
    assert.deepEqual([...decodeFloats('F64', f64)], [Math.fround(0.1)]);
    assert.deepEqual([...decodeFloats('F32', encodeFloats('F32', new Float32Array([3, -4])))], [3, -4]);
  });
});

describe('safetensors files', () => {
  test('a written file reads back: F32 exactly, F16 and BF16 within their precision; metadata and order kept', async () => {
    const random = Float32Array.from({ length: 60 }, (_, i) => Math.sin(i * 1.7) * 3);
    const tensors = new Map<string, TensorToWrite>([
      ['b.weight', { shape: [3, 4, 5], data: random }],
      ['a.half', { shape: [60], data: random, dtype: 'F16' }],
      ['c.bf16', { shape: [6, 10], data: random, dtype: 'BF16' }],
      ['d.empty', { shape: [0, 4], data: new Float32Array(0) }],
      ['e.scalar', { shape: [], data: new Float32Array([7]) }],
    ]);
    const file = path.join(folder, 'round-trip.safetensors');
    await writeSafetensors(file, tensors, { format: 'pt', note: 'x' });

    const bytes = await readFile(file);
    assert.equal(Number(bytes.readBigUInt64LE(0)) % 8, 0, 'the header is padded to 8 bytes');
    const { header, tensors: read } = await readSafetensors(file);
    assert.deepEqual(header.metadata, { format: 'pt', note: 'x' });
    assert.deepEqual([...header.tensors.keys()], ['b.weight', 'a.half', 'c.bf16', 'd.empty', 'e.scalar']);
    assert.deepEqual(header.tensors.get('a.half'), { dtype: 'F16', shape: [60], begin: 240, end: 360 });

    assert.deepEqual(read.get('b.weight')?.shape, [3, 4, 5]);
    assert.deepEqual(read.get('b.weight')?.data, random);
    const half = read.get('a.half')?.data ?? new Float32Array();
    const bf16 = read.get('c.bf16')?.data ?? new Float32Array();
    random.forEach((value, i) => {
      assert.ok(Math.abs((half[i] ?? NaN) - value) <= Math.abs(value) * 2 ** -11 + 2 ** -24, `F16 ${i}`);
      assert.ok(Math.abs((bf16[i] ?? NaN) - value) <= Math.abs(value) * 2 ** -8, `BF16 ${i}`);
    });
    assert.deepEqual(read.get('d.empty')?.shape, [0, 4]);
    assert.deepEqual([...(read.get('e.scalar')?.data ?? [])], [7]);
    assert.deepEqual(await readdir(folder).then((names) => names.filter((name) => name.endsWith('.tmp'))), []);
  });

  test('only the selected tensors are read', async () => {
    const file = path.join(folder, 'select.safetensors');
    await writeSafetensors(file, new Map([
      ['keep', { shape: [2], data: new Float32Array([1, 2]) }],
      ['skip', { shape: [2], data: new Float32Array([3, 4]) }],
    ]));
    const { tensors } = await readSafetensors(file, (name) => name === 'keep');
    assert.deepEqual([...tensors.keys()], ['keep']);
  });

  test('a non-float tensor is listed in the header but cannot be read as floats', async () => {
    const file = await rawFile('ints.safetensors', { position_ids: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, new Uint8Array(16));
    const header = await readSafetensorsHeader(file);
    assert.equal(header.tensors.get('position_ids')?.dtype, 'I64');
    await assert.rejects(readSafetensors(file), /ints\.safetensors.*position_ids.*I64/);
    assert.equal((await readSafetensors(file, () => false)).tensors.size, 0);
  });

  test('header errors name the file and say what is wrong', async () => {
    const cases: Array<[string, unknown, number, RegExp]> = [
      ['not-json', '{"a": ', 0, /header is not JSON/],
      ['array', '[1, 2]', 0, /does not start with "{"/],
      ['null', '{"t": null}', 0, /tensor 't' is not an object/],
      ['dtype', { t: { dtype: 'F12', shape: [1], data_offsets: [0, 4] } }, 4, /unknown dtype "F12"/],
      ['shape', { t: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4, /invalid shape/],
      ['offsets', { t: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, 4, /invalid data_offsets/],
      ['size', { t: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 8] } }, 16, /needs 16 bytes but data_offsets span 8/],
      ['overlap', { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12, /'b' overlaps/],
      ['gap', { a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8, /gap in the data before tensor 'a'/],
      ['metadata', { __metadata__: { n: 1 } }, 0, /__metadata__\.n must be a string/],
    ];
    for (const [name, header, dataBytes, expected] of cases) {
      const file = await rawFile(`${name}.safetensors`, header, new Uint8Array(dataBytes));
      await assert.rejects(readSafetensors(file), (error: unknown) => {
        assert.ok(error instanceof SafetensorsError, name);
        assert.match(error.message, new RegExp(`${name}\\.safetensors: not a valid safetensors file`));
        assert.match(error.message, expected);
        return true;
      });
    }
  });

  test('a header length beyond the file, a short file, a missing file', async () => {
    const lying = path.join(folder, 'lying.safetensors');
    const bytes = Buffer.alloc(16);
    bytes.writeBigUInt64LE(1000n);
    await writeFile(lying, bytes);
    await assert.rejects(readSafetensorsHeader(lying), /lying\.safetensors.*header length 1000 exceeds the 8 bytes/);
    const short = path.join(folder, 'short.safetensors');
    await writeFile(short, Buffer.alloc(3));
    await assert.rejects(readSafetensorsHeader(short), /short\.safetensors.*shorter than the 8-byte header length/);
    await assert.rejects(readSafetensorsHeader(path.join(folder, 'absent.safetensors')), /absent\.safetensors.*cannot open it \(ENOENT\)/);
  });

  test('a truncated file is reported as truncated, naming the file', async () => {
    const file = path.join(folder, 'truncated.safetensors');
    await writeSafetensors(file, new Map([
      ['first', { shape: [4], data: new Float32Array(4) }],
      ['last', { shape: [4], data: new Float32Array(4) }],
    ]));
    const { size } = await stat(file);
    await truncate(file, size - 3);
    await assert.rejects(readSafetensors(file), /truncated\.safetensors: not a valid safetensors file: the file is truncated: the header describes 32 bytes of tensor data \(up to 'last'\) but only 29/);
  });

  test('writing refuses data that does not match the shape and leaves no file', async () => {
    const file = path.join(folder, 'bad-shape.safetensors');
    await assert.rejects(writeSafetensors(file, new Map([['t', { shape: [2, 2], data: new Float32Array(3) }]])), /bad-shape\.safetensors: tensor 't' has shape \[2, 2\] \(4 values\) but 3 values/);
    assert.ok(!(await readdir(folder)).includes('bad-shape.safetensors'));
  });
});
