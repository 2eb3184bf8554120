import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLOAT32_TEXT_BYTES, writeFloat32 } from '../../engine/word2vec/float32Text';
import { SeededRandom } from '../../engine/data/seededRandom';

const written = (value: number): string => {
  const out = new Uint8Array(FLOAT32_TEXT_BYTES);
  return Buffer.from(out.subarray(0, writeFloat32(value, out, 0))).toString('latin1');
};

/** Significant digits of a decimal in plain or exponent notation. */
const significantDigits = (text: string): number => text.replace(/e.*$/, '').replace(/[-.]/g, '').replace(/^0+/, '').replace(/0+$/, '').length || 1;

/** The fewest significant digits that read back as `value`, by trying every precision. */
function fewestDigits(value: number): number {
  for (let precision = 1; precision <= 9; precision++) if (Math.fround(Number(value.toPrecision(precision))) === value) return precision;
  throw new Error(`${value} needs more than 9 digits`);
}

/** Float32 values from every corner: random bit patterns (all exponents, subnormals), embedding-like values, and edges. */
function sampleFloat32(count: number): number[] {
  const random = new SeededRandom(7);
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  const values = [0.1, 1 / 3, -2.5, 0.5, 1, 10, 100, 1e12, 1e-12, 9.999999e11, 3.4e38, 1e-45, 1.17549435e-38, 123456.789, 16777216, 16777217].map(Math.fround);
  for (let i = 0; i < count; i++) {
    bits[0] = Math.floor(random.nextFloat() * 2 ** 32);
    if (Number.isFinite(asFloat[0]!)) values.push(asFloat[0]!);
    values.push(Math.fround((random.nextFloat() - 0.5) * (i % 3 === 0 ? 1e-3 : 0.4)));
  }
  return values;
}

test('writeFloat32 writes every float32 so that it reads back exactly, with the fewest significant digits', () => {
  for (const value of sampleFloat32(50_000)) {
    const text = written(value);
    assert.equal(Math.fround(Number(text)), value, `${value} written as ${text}`);
    assert.equal(significantDigits(text), fewestDigits(value), `${value} written as ${text}`);
    assert.ok(text.length <= FLOAT32_TEXT_BYTES);
  }
});

test('writeFloat32 writes zero as 0, negatives with a minus, and plain notation inside 1e±12', () => {
  assert.equal(written(0), '0');
  assert.equal(written(Math.fround(0.5)), '0.5');
  assert.equal(written(Math.fround(-0.25)), '-0.25');
  assert.equal(written(Math.fround(0.001)), '0.001');
  assert.equal(written(1234567), '1234567');
  assert.equal(written(Math.fround(1e-30)), '1e-30');
  assert.equal(written(Math.fround(-3.4e38)), '-3.4e+38');
});
