// How a label is read and compared, the one rule the engine trains by and the editor checks with:
// exactly as written once surrounding whitespace is trimmed. `HAM` and `ham` are two classes (as in
// Hugging Face datasets and scikit-learn); both sides warn when labels differ only in case.

/** A CSV/TSV cell as a label: trimmed, undefined when empty. */
export function labelFromCell(cell: string): string | undefined {
  const label = cell.trim();
  return label === '' ? undefined : label;
}

/** A JSON value as a label: a non-empty string (trimmed), or an integer id written in decimal. */
export function labelFromJson(value: unknown): string | undefined {
  if (typeof value === 'string') return labelFromCell(value);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

/**
 * A CSV/TSV cell as a row's labels: single-label data (`separator` undefined) has exactly one, else
 * undefined; multi-label data (`data.label_separator`) the separated list, blanks and repeats dropped
 * (none is a valid example).
 */
export function labelsFromCell(cell: string, separator: string | undefined): string[] | undefined {
  if (separator === undefined) {
    const label = labelFromCell(cell);
    return label === undefined ? undefined : [label];
  }
  return distinctLabels(cell.split(separator).map(labelFromCell));
}

/** A JSON field as a row's labels: one label, or (multi-label) a list of them or a separated string. */
export function labelsFromJson(value: unknown, separator: string | undefined): string[] | undefined {
  if (separator === undefined) {
    const label = labelFromJson(value);
    return label === undefined ? undefined : [label];
  }
  if (typeof value === 'string') return labelsFromCell(value, separator);
  if (!Array.isArray(value)) return undefined;
  const labels = value.map(labelFromJson);
  return labels.every((label) => label !== undefined) ? distinctLabels(labels) : undefined;
}

const distinctLabels = (labels: (string | undefined)[]): string[] => [...new Set(labels.filter((label) => label !== undefined))];

/** Pairs of distinct labels that are equal ignoring case, in code-point order (so both sides word them alike). */
export function labelsDifferingOnlyInCase(labels: Iterable<string>): [string, string][] {
  const firstByFolded = new Map<string, string>();
  const pairs: [string, string][] = [];
  for (const label of [...new Set(labels)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const folded = label.toLowerCase();
    const first = firstByFolded.get(folded);
    if (first === undefined) firstByFolded.set(folded, label);
    else pairs.push([first, label]);
  }
  return pairs;
}

/** The warning both sides give for such a pair; the editor names the file it read them in. */
export function caseCollisionMessage(pair: [string, string], file?: string): string {
  const where = file === undefined ? '' : ` in ${file}`;
  return `${pairText(pair)}${where} differ only in case: they are two different classes, since labels are compared exactly as written.`;
}

/** Whether a message (the editor's, logged before the run) already warns about this pair. */
export function warnsAboutCaseCollision(message: string, pair: [string, string]): boolean {
  return message.startsWith(pairText(pair));
}

const pairText = ([first, second]: [string, string]): string => `Labels "${first}" and "${second}"`;
