// Commands that open the panels.
import type { Ctx } from '../ctx';
import { chooseVectors } from '../run/modelPicker';

export const showTrainingPanel = (ctx: Ctx) => (runId?: string) => ctx.trainingPanel.show(runId);

/** Explores the given vectors (a run folder or a vectors file), else asks which. */
export const exploreEmbeddings = (ctx: Ctx) => async (vectorsPath?: string) => {
  const chosen = await chooseVectors(ctx, { given: vectorsPath, askAgain: vectorsPath === undefined });
  if (chosen) ctx.embeddingExplorer.show(chosen);
};
