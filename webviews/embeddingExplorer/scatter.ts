// A canvas scatter of many labelled points: points are written straight into an ImageData (100k points
// cost a millisecond or two, where 100k fillRect calls would cost a frame or more), labels go where
// they fit, and a grid (pointGrid.ts) answers "which point is under the pointer".
import { PointGrid } from './pointGrid';
import type { ThemeColours } from '../shared/theme';

export interface View {
  /** Centre of the canvas, in projection coordinates. */
  x: number;
  y: number;
  /** CSS pixels per projection unit. */
  scale: number;
}

export interface Highlight {
  selected?: number;
  marked: ReadonlySet<number>;
}

const POINT_CSS_PX = 2;
const LABEL_LIMIT = 300;
const LABEL_CANDIDATES = 1500;
const CELL = 6;

export class Scatter {
  readonly words: string[];
  readonly xs: Float32Array;
  readonly ys: Float32Array;
  private index: PointGrid | undefined;
  private readonly bounds: { minX: number; maxX: number; minY: number; maxY: number };
  private readonly labelWidths: Float32Array;
  private lookup: Map<string, number> | undefined;
  private lookupLower: Map<string, number> | undefined;

  constructor(words: string[], coordinates: ArrayLike<number>) {
    const n = Math.min(words.length, Math.floor(coordinates.length / 2));
    this.words = words.length === n ? words : words.slice(0, n);
    this.xs = new Float32Array(n);
    this.ys = new Float32Array(n);
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = coordinates[2 * i]!;
      const y = coordinates[2 * i + 1]!;
      this.xs[i] = x;
      this.ys[i] = y;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    this.bounds = n > 0 ? { minX, maxX, minY, maxY } : { minX: -1, maxX: 1, minY: -1, maxY: 1 };
    this.labelWidths = new Float32Array(n).fill(-1);
  }

  /** Builds the grid that `hit` searches (once; `hit` builds it itself when it is not there yet). */
  buildIndex(): PointGrid {
    return (this.index ??= new PointGrid(this.xs, this.ys));
  }

  get size(): number {
    return this.words.length;
  }

  /** The view that shows every point, with a margin. */
  fit(width: number, height: number): View {
    const { minX, maxX, minY, maxY } = this.bounds;
    const spanX = Math.max(maxX - minX, 1e-9);
    const spanY = Math.max(maxY - minY, 1e-9);
    return { x: (minX + maxX) / 2, y: (minY + maxY) / 2, scale: 0.9 * Math.min(width / spanX, height / spanY) };
  }

  /**
   * The view that shows every point of `indices` with a margin, zoomed in no closer than `maxScale`:
   * after a search, the word and all of its neighbours are in sight.
   */
  fitPoints(indices: Iterable<number>, width: number, height: number, maxScale: number): View | undefined {
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (const i of indices) {
      const x = this.xs[i]!;
      const y = this.ys[i]!;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    if (!Number.isFinite(minX)) return undefined;
    const spanX = Math.max(maxX - minX, 1e-9);
    const spanY = Math.max(maxY - minY, 1e-9);
    return { x: (minX + maxX) / 2, y: (minY + maxY) / 2, scale: Math.min(maxScale, 0.8 * Math.min(width / spanX, height / spanY)) };
  }

  /** Whether point `i` is drawn inside a `width`×`height` canvas at `view`. */
  inView(view: View, width: number, height: number, i: number): boolean {
    const { x, y } = this.toScreen(view, width, height, i);
    return x >= 0 && y >= 0 && x <= width && y <= height;
  }

  /** Index of `word`: the exact spelling, else the first word that matches ignoring case. */
  find(word: string): { index: number; exact: boolean } | undefined {
    if (!this.lookup) {
      this.lookup = new Map();
      this.lookupLower = new Map();
      this.words.forEach((w, i) => {
        if (!this.lookup!.has(w)) this.lookup!.set(w, i);
        const lower = w.toLowerCase();
        if (!this.lookupLower!.has(lower)) this.lookupLower!.set(lower, i);
      });
    }
    const exact = this.lookup.get(word);
    if (exact !== undefined) return { index: exact, exact: true };
    const loose = this.lookupLower!.get(word.toLowerCase());
    return loose === undefined ? undefined : { index: loose, exact: false };
  }

  /** The point nearest to canvas position (cssX, cssY) within `radius` CSS pixels, the most frequent on a tie. */
  hit(view: View, width: number, height: number, cssX: number, cssY: number, radius = 6): number | undefined {
    const wx = view.x + (cssX - width / 2) / view.scale;
    const wy = view.y - (cssY - height / 2) / view.scale;
    return this.buildIndex().nearest(wx, wy, radius / view.scale);
  }

  toScreen(view: View, width: number, height: number, i: number): { x: number; y: number } {
    return { x: (this.xs[i]! - view.x) * view.scale + width / 2, y: -(this.ys[i]! - view.y) * view.scale + height / 2 };
  }

  /** Draws the points and the labels that fit; returns how many of each were drawn. */
  draw(
    context: CanvasRenderingContext2D,
    image: ImageData,
    view: View,
    dpr: number,
    theme: ThemeColours & { pointRgba: number },
    highlight: Highlight,
  ): { points: number; labels: number } {
    const { width, height } = image;
    const pixels = new Uint32Array(image.data.buffer);
    pixels.fill(0);
    const size = Math.max(1, Math.round(POINT_CSS_PX * dpr));
    const half = size >> 1;
    const k = view.scale * dpr;
    const ox = width / 2 - view.x * k;
    const oy = height / 2 + view.y * k;
    const colour = theme.pointRgba;
    let drawn = 0;
    for (let i = 0, n = this.xs.length; i < n; i++) {
      const px = Math.round(this.xs[i]! * k + ox) - half;
      const py = Math.round(oy - this.ys[i]! * k) - half;
      if (px < 0 || py < 0 || px + size > width || py + size > height) continue;
      drawn++;
      for (let dy = 0; dy < size; dy++) {
        const row = (py + dy) * width + px;
        for (let dx = 0; dx < size; dx++) pixels[row + dx] = colour;
      }
    }
    context.putImageData(image, 0, 0);
    return { points: drawn, labels: this.drawLabels(context, view, dpr, theme, highlight) };
  }

  private drawLabels(context: CanvasRenderingContext2D, view: View, dpr: number, theme: ThemeColours, highlight: Highlight): number {
    const width = context.canvas.width / dpr;
    const height = context.canvas.height / dpr;
    context.save();
    context.scale(dpr, dpr);
    context.font = theme.font;
    context.textBaseline = 'middle';
    const lineHeight = 14;
    const columns = Math.ceil(width / CELL);
    const rows = Math.ceil(height / CELL);
    const taken = new Uint8Array(columns * rows);
    let placed = 0;
    const tryPlace = (i: number, force: boolean, colour: string): boolean => {
      const { x, y } = this.toScreen(view, width, height, i);
      if (x < 0 || y < 0 || x > width || y > height) return false;
      let w = this.labelWidths[i]!;
      if (w < 0) w = this.labelWidths[i] = context.measureText(this.words[i]!).width;
      const left = x + 4;
      const top = y - lineHeight / 2;
      if (!force && left + w > width) return false;
      const c0 = Math.max(0, Math.floor(left / CELL));
      const c1 = Math.min(columns - 1, Math.floor((left + w) / CELL));
      const r0 = Math.max(0, Math.floor(top / CELL));
      const r1 = Math.min(rows - 1, Math.floor((top + lineHeight) / CELL));
      if (!force) {
        for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) if (taken[r * columns + c]) return false;
      }
      for (let r = r0; r <= r1; r++) taken.fill(1, r * columns + c0, r * columns + c1 + 1);
      context.fillStyle = colour;
      context.fillText(this.words[i]!, left, y);
      placed++;
      return true;
    };
    // Highlighted points first, always labelled, with a ring.
    for (const i of highlight.marked) {
      const { x, y } = this.toScreen(view, width, height, i);
      context.strokeStyle = theme.orange;
      context.lineWidth = 1.5;
      context.beginPath();
      context.arc(x, y, 4, 0, 2 * Math.PI);
      context.stroke();
      tryPlace(i, true, theme.orange);
    }
    if (highlight.selected !== undefined) {
      const { x, y } = this.toScreen(view, width, height, highlight.selected);
      context.strokeStyle = theme.focus;
      context.lineWidth = 2;
      context.beginPath();
      context.arc(x, y, 7, 0, 2 * Math.PI);
      context.stroke();
      tryPlace(highlight.selected, true, theme.foreground);
    }
    // Then the most frequent words (the projection lists them first) wherever they fit.
    let candidates = 0;
    for (let i = 0, n = this.xs.length; i < n && placed < LABEL_LIMIT && candidates < LABEL_CANDIDATES; i++) {
      const x = (this.xs[i]! - view.x) * view.scale + width / 2;
      const y = -(this.ys[i]! - view.y) * view.scale + height / 2;
      if (x < 0 || y < 0 || x > width || y > height) continue;
      candidates++;
      tryPlace(i, false, theme.muted);
    }
    context.restore();
    return placed;
  }
}

/** A CSS colour as the Uint32 an ImageData holds on this (little-endian) machine. */
export function colourToPixel(colour: string): number {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.fillStyle = colour;
  context.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = context.getImageData(0, 0, 1, 1).data;
  return new Uint32Array(new Uint8ClampedArray([r!, g!, b!, a!]).buffer)[0]!;
}
