// Hit-testing for up to a few hundred thousand points: a uniform grid stored as compressed rows (cell
// offsets + point ids, both typed arrays). Hand-written rather than kdbush/flatbush because those
// sort to build (a single 30–150 ms task for 100k points, on the UI thread of a webview), where a
// counting pass over a grid builds in a few milliseconds and answers a 6-pixel query by looking at
// a handful of cells.

export class PointGrid {
  private readonly minX: number;
  private readonly minY: number;
  private readonly cellSize: number;
  private readonly columns: number;
  private readonly rows: number;
  /** Points of cell c are ids[offsets[c] .. offsets[c + 1]). */
  private readonly offsets: Uint32Array;
  private readonly ids: Uint32Array;

  constructor(private readonly xs: Float32Array, private readonly ys: Float32Array) {
    const n = xs.length;
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = xs[i]!, y = ys[i]!;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    if (n === 0) minX = maxX = minY = maxY = 0;
    // About four points a cell on average; square cells over the bounding box.
    const span = Math.max(maxX - minX, maxY - minY, 1e-9);
    const side = Math.min(1024, Math.max(1, Math.ceil(Math.sqrt(n / 4))));
    this.cellSize = (span / side) * (1 + 1e-6);
    this.minX = minX;
    this.minY = minY;
    this.columns = Math.max(1, Math.ceil((maxX - minX) / this.cellSize) || 1);
    this.rows = Math.max(1, Math.ceil((maxY - minY) / this.cellSize) || 1);
    const cells = this.columns * this.rows;
    const cellOf = new Uint32Array(n);
    const offsets = new Uint32Array(cells + 1);
    for (let i = 0; i < n; i++) {
      const c = this.cell(xs[i]!, ys[i]!);
      cellOf[i] = c;
      offsets[c + 1]!++;
    }
    for (let c = 0; c < cells; c++) offsets[c + 1]! += offsets[c]!;
    const fill = offsets.slice(0, cells);
    const ids = new Uint32Array(n);
    for (let i = 0; i < n; i++) ids[fill[cellOf[i]!]!++] = i;
    this.offsets = offsets;
    this.ids = ids;
  }

  private column(x: number): number {
    return Math.min(this.columns - 1, Math.max(0, Math.floor((x - this.minX) / this.cellSize)));
  }

  private row(y: number): number {
    return Math.min(this.rows - 1, Math.max(0, Math.floor((y - this.minY) / this.cellSize)));
  }

  private cell(x: number, y: number): number {
    return this.row(y) * this.columns + this.column(x);
  }

  /** The point nearest to (x, y) within `radius`, the lowest id on a tie; undefined when none is. */
  nearest(x: number, y: number, radius: number): number | undefined {
    const c0 = this.column(x - radius), c1 = this.column(x + radius);
    const r0 = this.row(y - radius), r1 = this.row(y + radius);
    let best: number | undefined;
    let bestDistance = radius * radius;
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const cell = r * this.columns + c;
        for (let k = this.offsets[cell]!, end = this.offsets[cell + 1]!; k < end; k++) {
          const id = this.ids[k]!;
          const d = (this.xs[id]! - x) ** 2 + (this.ys[id]! - y) ** 2;
          if (d < bestDistance || (d === bestDistance && (best === undefined || id < best))) {
            best = id;
            bestDistance = d;
          }
        }
      }
    }
    return best;
  }
}
