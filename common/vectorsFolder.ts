// The files of a word2vec run folder that hold its vectors: the one list the engine loads from and the
// language server and the model catalog look for.
export const VECTORS_BINARY = 'vectors.bin';
export const VECTORS_TEXT = 'vectors.txt';
/** Preferred first: the binary file reads faster, and exactly. */
export const VECTORS_FILES = [VECTORS_BINARY, VECTORS_TEXT] as const;
/** Inside a word2vec run folder: the full model (both matrices, vocabulary counts) continued training needs. */
export const FULL_MODEL_FOLDER = 'model';
