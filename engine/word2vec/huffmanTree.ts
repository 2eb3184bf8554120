/**
 * The Huffman tree of hierarchical softmax over a vocabulary's counts, exactly as gensim 4 builds it
 * (`_build_heap` / `_assign_binary_codes`; word2vec.c's CreateBinaryTree makes the same kind of tree
 * but breaks ties between equal counts differently): the two least frequent nodes of a binary heap
 * ordered by count alone join under a new inner node, the first popped on the 0 side. Inner node i
 * (0 … V − 2) is the i-th join, so the root is V − 2. A word's path lists, from the root down, the
 * inner nodes above it and the side it lies on. Ties follow the heap's sift order, so this is Python's
 * heapq algorithm (heapify, heappop, heappush) transcribed.
 */
export interface HuffmanPaths {
  /** Word w's path is entries pathStart[w] … pathStart[w + 1] − 1 of `paths`. */
  pathStart: Int32Array;
  /** (inner node << 1) | code, root first. */
  paths: Int32Array;
  innerNodes: number;
}

/** A binary min-heap of node ids compared by count only, with heapq's sift rules. */
class CountHeap {
  readonly items: number[];

  constructor(
    private readonly count: (node: number) => number,
    items: number[],
  ) {
    this.items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftUp(i);
  }

  push(node: number): void {
    this.items.push(node);
    this.siftDown(0, this.items.length - 1);
  }

  pop(): number {
    const last = this.items.pop()!;
    if (this.items.length === 0) return last;
    const top = this.items[0]!;
    this.items[0] = last;
    this.siftUp(0);
    return top;
  }

  private less(a: number, b: number): boolean {
    return this.count(a) < this.count(b);
  }

  /** heapq._siftdown: moves the item at `pos` up towards `start` while it is smaller than its parent. */
  private siftDown(start: number, pos: number): void {
    const { items } = this;
    const item = items[pos]!;
    while (pos > start) {
      const parentPos = (pos - 1) >> 1;
      const parent = items[parentPos]!;
      if (!this.less(item, parent)) break;
      items[pos] = parent;
      pos = parentPos;
    }
    items[pos] = item;
  }

  /** heapq._siftup: sends the item at `pos` down to a leaf along the smaller children, then back up. */
  private siftUp(pos: number): void {
    const { items } = this;
    const end = items.length;
    const start = pos;
    const item = items[pos]!;
    let child = 2 * pos + 1;
    while (child < end) {
      const right = child + 1;
      if (right < end && !this.less(items[child]!, items[right]!)) child = right;
      items[pos] = items[child]!;
      pos = child;
      child = 2 * pos + 1;
    }
    items[pos] = item;
    this.siftDown(start, pos);
  }
}

export function buildHuffmanTree(counts: ArrayLike<number>): HuffmanPaths {
  const words = counts.length;
  const innerNodes = Math.max(0, words - 1);
  // nodes: leaves 0 … V − 1, then inner node i as V + i
  const nodeCount = new Float64Array(words + innerNodes);
  for (let word = 0; word < words; word++) nodeCount[word] = counts[word]!;
  const parent = new Int32Array(words + innerNodes).fill(-1);
  const side = new Uint8Array(words + innerNodes);
  const heap = new CountHeap((node) => nodeCount[node]!, Array.from({ length: words }, (_, word) => word));
  for (let join = 0; join < innerNodes; join++) {
    const first = heap.pop();
    const second = heap.pop();
    const node = words + join;
    nodeCount[node] = nodeCount[first]! + nodeCount[second]!;
    parent[first] = parent[second] = node;
    side[second] = 1;
    heap.push(node);
  }
  const pathStart = new Int32Array(words + 1);
  for (let word = 0; word < words; word++) {
    let depth = 0;
    for (let node = word; parent[node]! >= 0; node = parent[node]!) depth++;
    pathStart[word + 1] = pathStart[word]! + depth;
  }
  const paths = new Int32Array(pathStart[words]!);
  for (let word = 0; word < words; word++) {
    // walk up from the leaf, filling its path from the end
    let at = pathStart[word + 1]!;
    for (let node = word; parent[node]! >= 0; node = parent[node]!) paths[--at] = ((parent[node]! - words) << 1) | side[node]!;
  }
  return { pathStart, paths, innerNodes };
}
