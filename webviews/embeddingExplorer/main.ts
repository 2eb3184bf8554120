// The embedding explorer: a 2-D projection of the most frequent words, with zoom (wheel), pan (drag),
// search, and nearest neighbours (asked of the host, which asks the engine) of the clicked word.
import type {
  EmbeddingExplorerInbound,
  EmbeddingExplorerOutbound,
  EmbeddingExplorerState,
} from '../../common/protocol/panels';
import type { Neighbour } from '../../common/protocol/runEvents';
import { connect, throttled } from '../shared/vscodeApi';
import { h } from '../shared/dom';
import { formatSimilarity, plural } from '../shared/format';
import { onThemeChange, readTheme, type ThemeColours } from '../shared/theme';
import { Scatter, colourToPixel, type View } from './scatter';

const NEIGHBOUR_COUNT = 20;

const channel = connect<EmbeddingExplorerState, EmbeddingExplorerOutbound>();
const restored = channel.getState();
const state: EmbeddingExplorerState = restored?.version === 1 ? restored : { version: 1 };

let scatter: Scatter | undefined;
let view: View | undefined;
let selected: number | undefined;
let marked = new Set<number>();
let pendingRequest = 0;
let nextRequestId = 1;
let theme = withPixels(readTheme());

// ── layout ──
const root = document.getElementById('root') ?? document.body;
const info = h('p', { id: 'info', class: 'muted' }, 'Waiting for the projection…');
const searchInput = h('input', { id: 'search', type: 'search', placeholder: 'Find a word', 'aria-label': 'Word to find', autocomplete: 'off', spellcheck: 'false' });
const searchForm = h('form', { id: 'search-form', role: 'search' }, searchInput, h('button', { type: 'submit' }, 'Find'));
const status = h('p', { id: 'status', role: 'status', 'aria-live': 'polite' });
const canvas = h('canvas', {
  id: 'scatter', tabindex: 0, role: 'img',
  'aria-label': 'Word projection. Drag or use the arrow keys to pan, the wheel or + and − to zoom, 0 to fit; click a point for its neighbours.',
});
const tooltip = h('div', { id: 'tooltip', hidden: true });
const plot = h('div', { id: 'plot' }, canvas, tooltip);
const neighboursTitle = h('h2', { id: 'neighbours-title' }, 'Neighbours');
const neighboursHint = h('p', { class: 'hint' }, 'Click a point to see its nearest neighbours.');
const neighboursList = h('ol', { id: 'neighbours-list' });
const side = h('aside', { id: 'side', 'aria-labelledby': 'neighbours-title' }, neighboursTitle, neighboursHint, neighboursList);
root.append(h('header', { class: 'explorer-header' }, searchForm, info), status, h('div', { class: 'explorer-body' }, plot, side));
if (state.search) searchInput.value = state.search;
if (state.neighbours) showNeighbours(state.neighbours.word, state.neighbours.items);

const saveState = throttled(() => channel.setState({ ...state, ...(view && { view }) }), 500);

// ── messages from the host ──
channel.onMessage<EmbeddingExplorerInbound>((message) => {
  switch (message.type) {
    case 'projection': {
      const { projection } = message;
      const keepView = state.vectorsPath === message.vectorsPath && state.view !== undefined;
      scatter = new Scatter(projection.words, projection.coordinates);
      // The first frame needs only the coordinates; the hit-testing grid is built in a task of its own.
      const built = scatter;
      setTimeout(() => built.buildIndex(), 0);
      state.vectorsPath = message.vectorsPath;
      selected = undefined;
      marked = new Set();
      const { width, height } = cssSize();
      view = keepView ? state.view : scatter.fit(width, height);
      const variance = projection.explainedVariance.map((v) => `${(v * 100).toFixed(1)}%`).join(' + ');
      const shown = scatter.size >= projection.vocabularySize
        ? `All ${plural(projection.vocabularySize, 'word')}`
        : `The ${scatter.size.toLocaleString('en-US')} most frequent of ${plural(projection.vocabularySize, 'word')}`;
      info.textContent = `${shown} · ${projection.dimensions} dimensions · PCA explains ${variance} of the variance`;
      if (state.selected !== undefined) {
        const found = scatter.find(state.selected);
        if (found?.exact) selected = found.index;
      }
      if (state.neighbours) markNeighbours(state.neighbours.items);
      saveState.request();
      schedule();
      break;
    }
    case 'neighbours': {
      if (message.requestId !== pendingRequest) return;
      pendingRequest = 0;
      if (!message.result.inVocabulary) {
        showNeighbours(message.word, []);
        neighboursHint.textContent = `“${message.word}” is not in the vectors' vocabulary.`;
        return;
      }
      state.neighbours = { word: message.word, items: message.result.neighbours };
      showNeighbours(message.word, message.result.neighbours);
      markNeighbours(message.result.neighbours);
      bringNeighboursIntoView();
      saveState.request();
      schedule();
      break;
    }
    case 'error':
      if (message.requestId !== undefined && message.requestId !== pendingRequest) return;
      pendingRequest = 0;
      setStatus(message.message, 'error');
      break;
  }
});

// ── selection, search, neighbours ──
/** Selects point `index`: highlighted, optionally centred, and (`ask`) its neighbours requested from the host. */
function select(index: number, centre: boolean, ask: boolean): void {
  if (!scatter || !view) return;
  selected = index;
  const word = scatter.words[index]!;
  state.selected = word;
  if (centre) {
    const { width, height } = cssSize();
    const closeUp = scatter.fit(width, height).scale * 8;
    view = { x: scatter.xs[index]!, y: scatter.ys[index]!, scale: Math.max(view.scale, closeUp) };
  }
  if (ask) {
    pendingRequest = nextRequestId++;
    channel.post({ type: 'neighbours', requestId: pendingRequest, word, count: NEIGHBOUR_COUNT });
    neighboursTitle.textContent = `Neighbours of “${word}”`;
    neighboursHint.textContent = 'Asking the engine…';
    neighboursList.replaceChildren();
  }
  saveState.request();
  schedule();
}

/** Centres on `word` and selects it; `ask` also requests its neighbours (search does, a neighbour's link does not). */
function jumpTo(word: string, ask: boolean): void {
  if (!scatter) {
    setStatus('The projection has not arrived yet.', 'error');
    return;
  }
  const found = scatter.find(word);
  if (!found) {
    setStatus(`“${word}” is not in the projection (the ${scatter.size.toLocaleString('en-US')} most frequent words).`, 'error');
    return;
  }
  const shown = scatter.words[found.index]!;
  setStatus(found.exact ? `Showing “${shown}”.` : `No exact match for “${word}”; showing “${shown}”.`, 'ok');
  select(found.index, true, ask);
}

function showNeighbours(word: string, items: Neighbour[]): void {
  neighboursTitle.textContent = `Neighbours of “${word}”`;
  neighboursHint.textContent = items.length === 0 ? 'No neighbours.' : 'Cosine similarity. Click one to go to it.';
  neighboursList.replaceChildren(...items.map((item, i) =>
    h('li', {}, h('button', { type: 'button', class: 'neighbour', 'data-word': item.word, 'aria-label': `${item.word}, similarity ${formatSimilarity(item.similarity)}` },
      h('span', { class: 'rank', 'aria-hidden': 'true' }, `${i + 1}.`), h('span', { class: 'word' }, item.word), h('span', { class: 'similarity' }, formatSimilarity(item.similarity))))));
}

function markNeighbours(items: Neighbour[]): void {
  marked = new Set();
  if (!scatter) return;
  for (const item of items) {
    const found = scatter.find(item.word);
    if (found?.exact) marked.add(found.index);
  }
  const missing = items.length - marked.size;
  if (missing > 0) neighboursHint.textContent = `Cosine similarity. ${plural(missing, 'neighbour')} of ${items.length} ${missing === 1 ? 'is' : 'are'} not among the projected words; click one to go to it.`;
}

/** Zooms out (never past the fitted view, never in closer than a close-up) until the word and its marked neighbours are all in sight. */
function bringNeighboursIntoView(): void {
  if (!scatter || !view || selected === undefined) return;
  const { width, height } = cssSize();
  const shown = [selected, ...marked];
  if (shown.every((i) => scatter!.inView(view!, width, height, i))) return;
  const fitted = scatter.fit(width, height);
  const target = scatter.fitPoints(shown, width, height, fitted.scale * 8);
  if (target) view = target.scale < fitted.scale ? fitted : target;
}

function setStatus(text: string, kind: 'ok' | 'error'): void {
  status.textContent = text;
  status.className = kind;
}

searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const word = searchInput.value.trim();
  state.search = word;
  if (word) jumpTo(word, true);
});
neighboursList.addEventListener('click', (event) => {
  const button = (event.target as Element).closest('button[data-word]');
  if (button instanceof HTMLButtonElement) jumpTo(button.dataset['word'] ?? '', false);
});

// ── zoom, pan, hover, click ──
let drag: { id: number; x: number; y: number; moved: boolean } | undefined;

function pointerPosition(event: MouseEvent): { x: number; y: number } {
  const rect = canvas.getBoundingClientRect();
  return { x: event.clientX - rect.left, y: event.clientY - rect.top };
}

function zoomAt(factor: number, cssX: number, cssY: number): void {
  if (!view) return;
  const { width, height } = cssSize();
  const wx = view.x + (cssX - width / 2) / view.scale;
  const wy = view.y - (cssY - height / 2) / view.scale;
  const scale = Math.min(1e7, Math.max(1e-7, view.scale * factor));
  view = { x: wx - (cssX - width / 2) / scale, y: wy + (cssY - height / 2) / scale, scale };
  saveState.request();
  schedule();
}

function panBy(dx: number, dy: number): void {
  if (!view) return;
  view = { ...view, x: view.x - dx / view.scale, y: view.y + dy / view.scale };
  saveState.request();
  schedule();
}

canvas.addEventListener('wheel', (event) => {
  event.preventDefault();
  const { x, y } = pointerPosition(event);
  zoomAt(Math.exp(-event.deltaY * 0.0015), x, y);
}, { passive: false });

canvas.addEventListener('pointerdown', (event) => {
  if (event.button !== 0) return;
  canvas.setPointerCapture(event.pointerId);
  drag = { id: event.pointerId, x: event.clientX, y: event.clientY, moved: false };
});
canvas.addEventListener('pointermove', (event) => {
  if (drag && drag.id === event.pointerId) {
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (drag.moved || Math.abs(dx) + Math.abs(dy) > 3) {
      drag = { ...drag, x: event.clientX, y: event.clientY, moved: true };
      panBy(dx, dy);
    }
    return;
  }
  hover(event);
});
canvas.addEventListener('pointerup', (event) => {
  if (!drag || drag.id !== event.pointerId) return;
  const wasClick = !drag.moved;
  drag = undefined;
  if (!wasClick || !scatter || !view) return;
  const { x, y } = pointerPosition(event);
  const { width, height } = cssSize();
  const hit = scatter.hit(view, width, height, x, y);
  if (hit !== undefined) select(hit, false, true);
});
canvas.addEventListener('pointerleave', () => (tooltip.hidden = true));
canvas.addEventListener('keydown', (event) => {
  const { width, height } = cssSize();
  const step = 40;
  const actions: Record<string, () => void> = {
    ArrowLeft: () => panBy(step, 0),
    ArrowRight: () => panBy(-step, 0),
    ArrowUp: () => panBy(0, step),
    ArrowDown: () => panBy(0, -step),
    '+': () => zoomAt(1.25, width / 2, height / 2),
    '=': () => zoomAt(1.25, width / 2, height / 2),
    '-': () => zoomAt(0.8, width / 2, height / 2),
    '0': () => {
      if (scatter) view = scatter.fit(width, height);
      schedule();
    },
    Enter: () => {
      if (selected !== undefined) select(selected, true, true);
    },
  };
  const action = actions[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
});

function hover(event: PointerEvent): void {
  if (!scatter || !view) return;
  const { x, y } = pointerPosition(event);
  const { width, height } = cssSize();
  const hit = scatter.hit(view, width, height, x, y);
  if (hit === undefined) {
    tooltip.hidden = true;
    canvas.classList.remove('pointing');
    return;
  }
  const at = scatter.toScreen(view, width, height, hit);
  tooltip.textContent = scatter.words[hit]!;
  tooltip.style.left = `${at.x + 8}px`;
  tooltip.style.top = `${at.y - 22}px`;
  tooltip.hidden = false;
  canvas.classList.add('pointing');
}

// ── drawing, at most once a frame ──
let frame = 0;
let image: ImageData | undefined;
let context: CanvasRenderingContext2D | undefined;

function cssSize(): { width: number; height: number } {
  return { width: Math.max(1, plot.clientWidth), height: Math.max(1, plot.clientHeight) };
}

function schedule(): void {
  if (frame === 0) frame = requestAnimationFrame(render);
}

function render(): void {
  frame = 0;
  const dpr = window.devicePixelRatio || 1;
  const { width, height } = cssSize();
  const pixelWidth = Math.round(width * dpr);
  const pixelHeight = Math.round(height * dpr);
  if (canvas.width !== pixelWidth || canvas.height !== pixelHeight || !image || !context) {
    canvas.width = pixelWidth;
    canvas.height = pixelHeight;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    context = canvas.getContext('2d')!;
    image = context.createImageData(pixelWidth, pixelHeight);
  }
  if (!scatter || !view) return;
  const started = performance.now();
  const drawn = scatter.draw(context, image, view, dpr, theme, { selected, marked });
  canvas.dataset['points'] = String(drawn.points);
  canvas.dataset['labels'] = String(drawn.labels);
  // What this frame shows, set together so the attributes never run ahead of the pixels.
  canvas.dataset['view'] = `${view.x},${view.y},${view.scale}`;
  if (selected === undefined) delete canvas.dataset['selected'];
  else canvas.dataset['selected'] = scatter.words[selected]!;
  canvas.dataset['drawMs'] = (performance.now() - started).toFixed(1);
  document.body.dataset['frames'] = String(Number(document.body.dataset['frames'] ?? 0) + 1);
}

function withPixels(colours: ThemeColours): ThemeColours & { pointRgba: number } {
  return { ...colours, pointRgba: colourToPixel(colours.blue) };
}

onThemeChange(() => {
  theme = withPixels(readTheme());
  schedule();
});
new ResizeObserver(() => schedule()).observe(plot);
window.addEventListener('pagehide', () => saveState.flush());

schedule();
channel.post({ type: 'ready', ...(state.vectorsPath !== undefined && { vectorsPath: state.vectorsPath }) });
