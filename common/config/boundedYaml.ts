// YAML read with the limits a config language needs: the `yaml` library's composer recurses once per
// nesting level and stringifies collection keys (cubic in their depth), so a pasted run of `{` or `? `,
// or thousands of indented lines, would overflow the stack or block the server. Configs nest a few
// levels and are a few KiB: anything far beyond that is refused with one clear error before composing.
import { Composer, isAlias, isScalar, Parser, parseDocument, visit, YAMLParseError, type CST, type Document } from 'yaml';

export const YAML_LIMITS = {
  /** Characters in a config file (real configs are a few KiB; this is ~50× the largest example). */
  maxLength: 128 * 1024,
  /** Nested maps and lists (a config nests at most five). */
  maxDepth: 64,
  /** Alias expansions when reading the value: bounds "billion laughs" documents. */
  maxAliasCount: 100,
} as const;

export interface BoundedYaml {
  readonly yaml: Document.Parsed;
  /** The config as plain data; undefined when it cannot be read (an alias bomb, a collection key, a refused document). */
  readonly value: unknown;
}

const PARSE_OPTIONS = { keepSourceTokens: false, prettyErrors: false, uniqueKeys: true, logLevel: 'error' } as const;

/** A lone CR is a line break for the editor; the `yaml` library reads it as a space. Same length, so offsets agree. */
function editorLineBreaks(text: string): string {
  return text.replace(/\r(?!\n)/g, '\n');
}

export function parseBoundedYaml(text: string): BoundedYaml {
  if (text.length > YAML_LIMITS.maxLength) {
    const kib = (n: number): string => `${Math.round(n / 1024).toLocaleString('en-US')} KiB`;
    const firstLineEnd = /[\r\n]/.exec(text)?.index ?? text.length;
    return refused([0, Math.min(firstLineEnd, 200)], `This file is ${kib(text.length)}; a config is at most ${kib(YAML_LIMITS.maxLength)}. Is it a data file?`);
  }
  const source = editorLineBreaks(text);
  const tokens = withoutStackTraces(() => [...new Parser().parse(source)]);
  const tooDeep = firstTooDeep(tokens);
  if (tooDeep !== undefined) {
    return refused([tooDeep, tooDeep + 1], `The YAML nests more than ${YAML_LIMITS.maxDepth} maps or lists deep here; a config nests a few levels.`);
  }
  const yaml = withoutStackTraces(() => composeFirst(tokens, source.length));
  const collectionKeys = markCollectionKeys(yaml);
  let value: unknown;
  if (!collectionKeys) {
    try {
      value = yaml.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
    } catch {
      value = undefined; // alias bombs and aliases to missing anchors: the syntax diagnostics say which
    }
  }
  return { yaml, value };
}

/**
 * Every YAML error is an Error object, and capturing its stack costs more than parsing: a pasted run
 * of broken flow items (10⁵ errors) composes 8× faster without. Synchronous, so nothing else sees it.
 */
function withoutStackTraces<T>(run: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return run();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** An empty document whose only error says why the text was not read. */
function refused(pos: [number, number], message: string): BoundedYaml {
  const yaml = parseDocument('', PARSE_OPTIONS);
  yaml.errors.push(new YAMLParseError(pos, 'RESOURCE_EXHAUSTION', message));
  return { yaml, value: undefined };
}

/** As `parseDocument` does: the first document, and an error where a second one starts. */
function composeFirst(tokens: CST.Token[], length: number): Document.Parsed {
  let first: Document.Parsed | undefined;
  for (const doc of new Composer(PARSE_OPTIONS).compose(tokens, true, length)) {
    if (!first) first = doc;
    else {
      first.errors.push(new YAMLParseError([doc.range[0], doc.range[1]], 'MULTIPLE_DOCS', 'A config is one YAML document; a second one starts here.'));
      break;
    }
  }
  return first ?? parseDocument('', PARSE_OPTIONS);
}

/** The offset of the first collection nested deeper than the limit, walking the CST without recursion. */
function firstTooDeep(tokens: CST.Token[]): number | undefined {
  const pending: { token: CST.Token | null | undefined; depth: number }[] = tokens.map((token) => ({ token, depth: 0 }));
  while (pending.length > 0) {
    const { token, depth } = pending.pop()!;
    if (!token) continue;
    if (token.type === 'document') pending.push({ token: token.value, depth });
    else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth >= YAML_LIMITS.maxDepth) return token.offset;
      for (const item of token.items) {
        if ('key' in item) pending.push({ token: item.key, depth: depth + 1 });
        pending.push({ token: item.value, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** Keys that are maps, lists or aliases get an error: config keys are names, and reading such keys is costly. */
function markCollectionKeys(yaml: Document.Parsed): boolean {
  let found = false;
  visit(yaml, {
    Pair: (_key, pair) => {
      const key = pair.key as { range?: [number, number, number] } | null;
      if (key === null || isScalar(key) || !key.range) return;
      found = true;
      const what = isAlias(key) ? 'an alias' : 'a map or a list';
      yaml.errors.push(new YAMLParseError([key.range[0], key.range[1]], 'NON_STRING_KEY', `A config key is a name, not ${what}.`));
    },
  });
  return found;
}
