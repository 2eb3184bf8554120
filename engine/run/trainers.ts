// The tasks the engine can train, by config `task`. Adding a task adds one row here.
import type { Task } from '../../common/schema';
import { classificationTrainer } from './classificationTrainer';
import type { TaskTrainer } from './trainerContext';
import { word2vecTrainer } from './word2vecTrainer';

export const TRAINERS: Partial<Record<Task, TaskTrainer>> = {
  'text-classification': classificationTrainer,
  word2vec: word2vecTrainer,
};
