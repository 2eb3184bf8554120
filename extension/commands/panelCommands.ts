// Commands that open the panels.
import type { Ctx } from '../ctx';
import { resolveModel } from '../models/modelQuickPick';

export const showTrainingPanel = (ctx: Ctx) => (runId?: string) => ctx.trainingPanel.show(runId);

/** Explores the given vectors (a run folder or a vectors file), else asks which. */
export const exploreEmbeddings = (ctx: Ctx) => async (vectorsPath?: string) => {
  const chosen = await resolveModel(ctx, vectorsPath, {
    kinds: ['vectors'],
    classifierEmbeddings: true,
    title: 'Vectors to explore',
    placeHolder: 'Choose word vectors, or the embedding layer of a trained classifier',
  });
  if (chosen) ctx.embeddingExplorer.show(chosen.path);
};
