// The shortest decimal that reads back as exactly a given float32, written as ASCII bytes: what a
// vectors text file spends its time on (a 100,000-word GloVe run writes 10 million numbers). Written by
// hand because no maintained npm package formats float32 shortest-round-trip (Ryū-style) into a byte
// buffer; `Number#toPrecision` with a read-back check is exact but five times slower, and stays the
// fallback for the values this fast path cannot decide with certainty.

/** Exact powers of ten as doubles (10^22 is the largest a double holds exactly). */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, power) => 10 ** power);
/** Decimal exponents the fast path handles, so that every scaling uses an exact power of ten. */
const FAST_EXPONENTS = 12;
/** Relative distance to a rounding boundary under which double arithmetic cannot decide (a few ulps). */
const UNDECIDABLE = 8 * Number.EPSILON;
/** The most bytes writeFloat32 writes for one value. */
export const FLOAT32_TEXT_BYTES = 24;
const CHAR_0 = 48;
const CHAR_MINUS = 45;
const CHAR_POINT = 46;

const bits = new Float32Array(1);
const bitsAsInt = new Uint32Array(bits.buffer);
const digits = new Uint8Array(16);

/** The shortest decimal that reads back as exactly this float32, through toPrecision and a read-back per digit count (exact, slow). */
function shortestByToPrecision(value: number): string {
  for (let precision = 1; precision < 9; precision++) {
    const text = value.toPrecision(precision);
    if (Math.fround(Number(text)) === value) return text;
  }
  return value.toPrecision(9); // nine significant digits always read back as the same float32
}

/** The float32 neighbours' midpoints: every real strictly between them rounds to `magnitude` (> 0). */
function roundingInterval(magnitude: number): { low: number; high: number } {
  bits[0] = magnitude;
  const own = bitsAsInt[0]!;
  bitsAsInt[0] = own + 1;
  const above = bits[0];
  bitsAsInt[0] = own - 1;
  const below = bits[0];
  return { low: (magnitude + below) / 2, high: (magnitude + above) / 2 };
}

/** m × 10^-scale as a double (one rounding: the powers are exact). */
const decimalValue = (mantissa: number, scale: number): number => (scale >= 0 ? mantissa / POWERS_OF_TEN[scale]! : mantissa * POWERS_OF_TEN[-scale]!);

/**
 * The p-significant-digit decimal nearest to `magnitude`, as an integer mantissa and a scale
 * (value = mantissa × 10^-scale), if it surely rounds back to the float32; `false` if it surely does
 * not; `undefined` if too close to a boundary to tell in double arithmetic.
 */
function candidate(magnitude: number, exponent: number, precision: number, low: number, high: number): { mantissa: number; scale: number } | false | undefined {
  const scale = precision - 1 - exponent;
  const mantissa = Math.round(scale >= 0 ? magnitude * POWERS_OF_TEN[scale]! : magnitude / POWERS_OF_TEN[-scale]!);
  const value = decimalValue(mantissa, scale);
  const margin = UNDECIDABLE * value;
  if (value > low + margin && value < high - margin) return { mantissa, scale };
  if (value < low - margin || value > high + margin) return false;
  return undefined;
}

/** Writes mantissa × 10^-scale in plain decimal notation at `at`; returns the end. */
function writeDecimal(mantissa: number, scale: number, out: Uint8Array, at: number): number {
  let count = 0;
  for (let rest = mantissa; rest > 0 || count === 0; rest = Math.floor(rest / 10)) digits[count++] = CHAR_0 + (rest % 10);
  let position = at;
  if (scale <= 0) {
    for (let i = count - 1; i >= 0; i--) out[position++] = digits[i]!;
    for (let i = 0; i < -scale; i++) out[position++] = CHAR_0;
  } else if (count > scale) {
    for (let i = count - 1; i >= scale; i--) out[position++] = digits[i]!;
    out[position++] = CHAR_POINT;
    for (let i = scale - 1; i >= 0; i--) out[position++] = digits[i]!;
  } else {
    out[position++] = CHAR_0;
    out[position++] = CHAR_POINT;
    for (let i = 0; i < scale - count; i++) out[position++] = CHAR_0;
    for (let i = count - 1; i >= 0; i--) out[position++] = digits[i]!;
  }
  return position;
}

/** The shortest mantissa/scale pair that surely reads back as `magnitude`, or undefined when the fast path cannot tell. */
function shortestDecimal(magnitude: number): { mantissa: number; scale: number } | undefined {
  const exponent = Math.floor(Math.log10(magnitude));
  if (exponent < -FAST_EXPONENTS || exponent > FAST_EXPONENTS) return undefined;
  const { low, high } = roundingInterval(magnitude);
  // Most float32 values need 8 digits and about a third 7 (6 is rare): try 7 first, then fewer while
  // they still read back, or more until they do.
  let found = candidate(magnitude, exponent, 7, low, high);
  if (found === undefined) return undefined;
  if (found !== false) {
    for (let precision = 6; precision >= 1; precision--) {
      const shorter = candidate(magnitude, exponent, precision, low, high);
      if (shorter === undefined) return undefined;
      if (shorter === false) return found;
      found = shorter;
    }
    return found;
  }
  for (let precision = 8; precision <= 9; precision++) {
    const longer = candidate(magnitude, exponent, precision, low, high);
    if (longer === undefined) return undefined;
    if (longer !== false) return longer;
  }
  return undefined; // nine digits always suffice for a float32; reaching here means an exponent misjudged by log10
}

/**
 * Writes the shortest decimal that reads back as exactly the float32 `value` into `out` at `at`
 * (FLOAT32_TEXT_BYTES of room needed) and returns the end. Plain notation; values outside 1e±12, and the
 * rare ones too close to a rounding boundary to decide in doubles, take the toPrecision path.
 */
export function writeFloat32(value: number, out: Uint8Array, at: number): number {
  if (value === 0) {
    out[at] = CHAR_0;
    return at + 1;
  }
  const magnitude = Math.abs(value);
  const decimal = Number.isFinite(value) ? shortestDecimal(magnitude) : undefined;
  if (decimal === undefined) {
    const text = shortestByToPrecision(value);
    for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
    return at + text.length;
  }
  let position = at;
  if (value < 0) out[position++] = CHAR_MINUS;
  return writeDecimal(decimal.mantissa, decimal.scale, out, position);
}
