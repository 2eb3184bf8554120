// "Select model for predictions": which model answers "Predict on selection" from now on, in this workspace.
import type { Ctx } from '../ctx';
import type { ModelInfo } from '../models/modelCatalog';
import { resolveModel } from '../models/modelQuickPick';

/** The kinds of model that answer a selection. */
export const PREDICTION_KINDS = ['classifier', 'pipeline', 'vectors'] as const;

/** Uses `modelPath` when given (scripts, the panel's "Use for predictions"), else asks. Resolves to the pick. */
export const selectPredictionModel = (ctx: Ctx) => async (modelPath?: string): Promise<ModelInfo | undefined> => {
  const model = await resolveModel(ctx, modelPath, {
    kinds: PREDICTION_KINDS,
    title: 'Model for predictions',
    placeHolder: 'Choose the model that answers "Predict on selection": a classifier labels the text, word vectors give a word\'s neighbours, a transformers.js folder runs its pipeline',
    current: ctx.predictionModel.current?.path,
  });
  if (model) await ctx.predictionModel.use(model);
  return model;
};
