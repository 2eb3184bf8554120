// How a classifier turns its logits into labels, and how its config.json says so: single-label models
// take the most probable class (softmax); multi-label ones every label whose sigmoid reaches a threshold,
// with Hugging Face's `problem_type: multi_label_classification` (what AutoModelForSequenceClassification
// reads to pick BCEWithLogitsLoss) and the threshold beside it.

export type Decision = { readonly multiLabel: false } | { readonly multiLabel: true; readonly threshold: number };

export const SINGLE_LABEL: Decision = { multiLabel: false };
export const MULTI_LABEL_PROBLEM = 'multi_label_classification';
export const DEFAULT_THRESHOLD = 0.5;

/** The decision a run starts with: its data's kind and `training.decision_threshold` (`tune` starts at the default). */
export function configuredDecision(multiLabel: boolean, threshold: number | 'tune' | undefined): Decision {
  return multiLabel ? { multiLabel: true, threshold: typeof threshold === 'number' ? threshold : DEFAULT_THRESHOLD } : SINGLE_LABEL;
}

/** The config.json keys of a decision (none for single-label models, as Hugging Face writes them). */
export function decisionConfigJson(decision: Decision): Record<string, unknown> {
  return decision.multiLabel ? { problem_type: MULTI_LABEL_PROBLEM, decision_threshold: decision.threshold } : {};
}

/** The decision a config.json describes. */
export function decisionFromConfigJson(json: Readonly<Record<string, unknown>>): Decision {
  if (json.problem_type !== MULTI_LABEL_PROBLEM) return SINGLE_LABEL;
  const threshold = json.decision_threshold;
  return { multiLabel: true, threshold: typeof threshold === 'number' && threshold > 0 && threshold < 1 ? threshold : DEFAULT_THRESHOLD };
}
