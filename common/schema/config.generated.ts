/* eslint-disable */
// Generated from common/schema/nlp-config.schema.json by `npm run generate` (scripts/generate-schema-artifacts.mjs).
// Do not edit: change the schema and regenerate. test/unit/generated.test.ts fails when this file is stale.

/**
 * An **NLP Studio training config** (`*.nlp.yaml`). Paths are relative to the config file.
 */
export interface NlpConfig {
  /**
   * What this run trains. Decides which other sections apply.
   */
  task: 'text-classification' | 'word2vec';
  /**
   * Name of the run. Outputs go to `<output.dir>/<name>/`. Letters, digits, `.`, `_` and `-`; starts with a letter or digit.
   */
  name: string;
  /**
   * Random seed for initialisation, shuffling, sampling and dropout. The same seed and one thread reproduce a run exactly.
   */
  seed?: number;
  /**
   * Compute backend for the engine. `auto` picks the fastest one that is installed and works. Run **NLP Studio: Check training environment** (`nlp-studio env`) to see what this machine offers and why. BERT runs and predictions compute on it; an `embedding-classifier` trains on its own multi-threaded WebAssembly kernel whatever this says (`training.threads`), and word-vector pretraining (`task: word2vec`) on its own WebAssembly kernels in CPU worker threads.
   */
  backend?: 'auto' | 'webgpu' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  model?: Model;
  data: Data;
  training?: Training;
  word2vec?: Word2Vec;
  output?: Output;
}
/**
 * The model to train. For `text-classification` only.
 */
export interface Model {
  /**
   * Model architecture.
   */
  type?: 'bert' | 'embedding-classifier';
  /**
   * The pretrained encoder: a local folder in Hugging Face layout (`config.json`, `tokenizer.json` or a WordPiece `vocab.txt`, `model.safetensors` or `pytorch_model.bin`) of a BERT, DistilBERT, RoBERTa, XLM-RoBERTa or ELECTRA model, or a Hugging Face Hub id such as `bert-base-uncased` or `org/name`. A Hub id is read from the Hugging Face cache that Python's `huggingface_hub` shares (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`), so a model Python already downloaded works offline; what is missing is downloaded into that cache unless `HF_HUB_OFFLINE` is set. `HF_ENDPOINT` and `HF_TOKEN` (or the token file of `huggingface-cli login`) are honoured.
   */
  pretrained?: string;
  /**
   * The branch, tag or commit hash of a Hub `pretrained` model to use. A commit hash pins the exact weights; a branch follows it when the Hub is reachable and uses the cached snapshot when it is not. Ignored for a local folder.
   */
  revision?: string;
  /**
   * Word vectors that initialise the embedding layer of an `embedding-classifier`: a word2vec text or binary file, a fastText `.vec` file, a GloVe `.txt` file (no header), or the folder of an NLP Studio word2vec run. The format is read from the file itself. The vectors are rescaled to a random initialisation's scale (an RMS of 1/√dimensions: GloVe's is five times larger), so the unfrozen stage's rate can move them, and the pooled vector is standardised on the training data before the head (`pooled_norm` in `model.safetensors`), so the head learns while they are frozen.
   */
  vectors?: string;
  /**
   * Read only the first N vectors of `vectors` (vector files list the most frequent words first), e.g. `100000` of GloVe's 400,000. Only words that occur in the training data ever train; the other words of the file stay in the model, frozen, so predictions still know them: they cost memory and file size, not training time.
   */
  max_vectors?: number;
  /**
   * Longest word n-gram an `embedding-classifier` pools with the words, as fastText's `-wordNgrams`: `2` adds every pair of neighbouring words ("not good"), each hashed into one of `ngram_buckets` extra embedding rows.
   */
  word_ngrams?: number;
  /**
   * Hash buckets of the word n-grams (`word_ngrams` ≥ 2); n-grams that hash alike share a vector. Each bucket is a row of the embedding matrix: 500,000 buckets of 100 dimensions are 200 MB of weights in `model.safetensors` (training adds AdamW state for the buckets the data touches). fastText's default is 2,000,000; on IMDB (25,000 reviews, bigrams) 500,000 scored the same within 0.2 points.
   */
  ngram_buckets?: number;
  /**
   * Embedding size of an `embedding-classifier`. Must match the dimension of `vectors` when both are given; required when `vectors` is absent (random initialisation).
   */
  vector_size?: number;
  /**
   * How an `embedding-classifier` turns token vectors into one text vector.
   */
  pooling?: 'mean' | 'max' | 'mean-max';
  /**
   * Width of the hidden dense layer of an `embedding-classifier` head; `0` means a linear head.
   */
  hidden_size?: number;
  /**
   * Dropout probability of the classification head. Defaults to `hidden_dropout_prob` from the model's `config.json`, or `0.1`.
   */
  dropout?: number;
}
/**
 * Where the data is and how to read it.
 */
export interface Data {
  /**
   * Training data: a file, a glob (`data/*.txt`) or a list of files. The corpus for `word2vec`; labelled examples for `text-classification`.
   */
  train: string | string[];
  /**
   * A labelled validation file in the same format as `train`. Use either this or `validation_split`.
   */
  validation?: string;
  /**
   * Fraction of the training examples held out for validation (stratified, seeded) when there is no `validation` file.
   */
  validation_split?: number;
  /**
   * File format. Inferred from the extension when absent (`.csv`, `.tsv`, `.jsonl`; anything else is `text`).
   */
  format?: 'csv' | 'tsv' | 'jsonl' | 'text';
  /**
   * Column (CSV/TSV header) or field (JSONL) that holds the text.
   */
  text_column?: string;
  /**
   * Column or field that holds the label: a class name or an integer id. For `text-classification` only. Labels are compared exactly as written, after trimming surrounding spaces: `HAM` and `ham` are two classes (the editor and the run warn when labels differ only in case). The training data needs at least two classes.
   */
  label_column?: string;
  /**
   * Longest tokenised sequence; longer texts are truncated. Batches are padded only to their longest member.
   */
  max_length?: number;
  /**
   * Lowercase text before tokenising. For BERT, the tokenizer's own setting is used when it has one.
   */
  lowercase?: boolean;
  /**
   * Each example has any number of labels (none included): in CSV/TSV the label column holds them joined by `label_separator` (`sports|politics`), in JSONL a list (`["sports", "politics"]`). The model gives every label its own probability (sigmoid, binary cross-entropy), predicts every label whose probability reaches `training.decision_threshold`, and is evaluated with micro- and macro-F1 and per-label precision and recall. Its `config.json` says `problem_type: multi_label_classification`, as Hugging Face expects.
   */
  multi_label?: boolean;
  /**
   * What separates the labels of one example in a CSV/TSV label column when `multi_label` is on (JSONL may give a list instead).
   */
  label_separator?: string;
  /**
   * What to do with a data line that cannot be read (wrong column count, invalid JSON, empty text, no label). A validation label that the training data never uses always stops the run, with file and line.
   */
  bad_lines?: 'skip' | 'error';
}
/**
 * How to train a `text-classification` model.
 */
export interface Training {
  /**
   * Examples per optimisation step.
   */
  batch_size?: number;
  /**
   * Optimiser.
   */
  optimizer?: 'adamw' | 'adam' | 'sgd';
  /**
   * Decoupled weight decay for `adamw`; biases and LayerNorm weights are not decayed.
   */
  weight_decay?: number;
  /**
   * Clip the global gradient norm to this value; `0` turns clipping off.
   */
  max_grad_norm?: number;
  /**
   * Fraction of each stage's steps spent warming the learning rate up linearly from 0; it then decays linearly to 0.
   */
  warmup_ratio?: number;
  /**
   * When to evaluate on the validation set.
   */
  eval_every?: 'epoch' | 'stage';
  /**
   * Threads that train an `embedding-classifier` (its own multi-threaded kernel: each thread takes whole batches and updates the shared weights lock-free, as fastText does). Defaults to the number of CPU cores. With `1`, a seed makes the run reproducible. BERT runs use the `backend`.
   */
  threads?: number;
  /**
   * Multi-label models (`data.multi_label`): a label is predicted when its probability reaches this. `tune` picks, after training, the threshold that maximises micro-F1 on the validation data, and stores it with the model.
   */
  decision_threshold?: number | 'tune';
  /**
   * Write a step row (loss, learning rate, throughput) to `metrics.jsonl` every this many optimisation steps; epoch rows are always written. The progress shown while training is throttled by time instead.
   */
  log_every_steps?: number;
  early_stopping?: EarlyStopping;
  /**
   * The schedule, run in order. The usual transfer-learning schedule freezes the encoder and trains the new head, then unfreezes and trains everything at a small learning rate.
   *
   * @minItems 1
   */
  stages?: Stage[];
}
/**
 * End a stage when the validation metric stops improving (the next stage still runs); the best epoch of the run is the model written. Without `early_stopping` every epoch runs and the best one, by validation loss, is still the model written.
 */
export interface EarlyStopping {
  /**
   * Validation metric to watch, and to choose the best epoch by (also when `early_stopping` is left out). `loss` is minimised, the others maximised. The default is `loss`, as in Hugging Face's Trainer and Keras: it moves with every example's confidence, where accuracy and F1 on a small validation set move in steps of one example and often crown a lucky epoch. For multi-label data, `accuracy` is exact-match accuracy (every label right).
   */
  metric?: 'accuracy' | 'macro_f1' | 'micro_f1' | 'loss';
  /**
   * Evaluations without improvement before early stopping ends the stage: the schedule then goes on with the next stage (and `validate` says where a stage is longer than this). The best epoch of the whole run is the model written.
   */
  patience?: number;
  /**
   * Smallest change that counts as an improvement.
   */
  min_delta?: number;
}
/**
 * One stage of the schedule.
 */
export interface Stage {
  /**
   * A name shown on the curves at the stage boundary.
   */
  name?: string;
  /**
   * Passes over the training data in this stage.
   */
  epochs: number;
  /**
   * Peak learning rate of this stage (after warm-up). Rates that work, by stage: **BERT** — `1e-3` for the head on a frozen encoder (`freeze: encoder`), `2e-5`–`5e-5` when the encoder trains. **Word-vector classifier** (AdamW) — `1e-2` for the head on frozen vectors (`freeze: embeddings`), then everything at a smaller rate, so the vectors adapt and keep what they know: with about a thousand labelled examples `3e-3` (a third) for general-purpose vectors such as GloVe, `1e-3` (a tenth) for vectors pretrained on your own domain's text, which have less to adapt; with tens of thousands, a thirtieth for both, as every row gets many more updates and word n-gram buckets otherwise learn the training set by heart within an epoch (on IMDB, `bench/imdb-vs-fasttext.ts`: at 1,000 reviews each of the first two rates beats the other on its kind of vectors; at 25,000, with a `2e-2` head at `batch_size` 256, `6e-4` scored 0.906 with GloVe and 0.914–0.917 with IMDB's own vectors, against 0.897–0.906 and 0.909 at a third or a tenth). Random vectors train everything at `1e-2` from the start. With `batch_size` 256 or more, double them.
   */
  learning_rate: number;
  /**
   * What does not train in this stage: `encoder` (only the head trains), `embeddings` (the embedding layer is frozen), `none` (everything trains), or `all-but-top-N` (only the top N encoder layers and the head train).
   */
  freeze?: string;
  /**
   * Overrides `training.warmup_ratio` for this stage.
   */
  warmup_ratio?: number;
}
/**
 * Word2vec settings, for `task: word2vec`. Defaults follow gensim and word2vec.c.
 */
export interface Word2Vec {
  /**
   * Training algorithm.
   */
  algorithm?: 'skipgram' | 'cbow';
  /**
   * Dimensions of the word vectors.
   */
  vector_size?: number;
  /**
   * Largest distance between the centre word and a context word; each centre word samples its effective window uniformly from 1 to this. Narrow windows (2–5) make neighbours of words that fill the same slot ("good", "bad"); wide ones (20–50: a window never crosses a line) of words used in the same texts, which is what a sentiment or topic classifier reading the vectors needs. On IMDB, vectors pretrained with window 40 made a classifier of 1,000 labelled reviews 2 points more accurate than window 5 (the README's IMDB benchmark).
   */
  window?: number;
  /**
   * Words seen fewer times than this are dropped from the vocabulary.
   */
  min_count?: number;
  /**
   * Negative samples per positive pair; `0` turns negative sampling off (then `hs` must be on).
   */
  negative?: number;
  /**
   * Train with hierarchical softmax: each word is predicted along its path in a Huffman tree of the vocabulary's counts (built as gensim builds it), alone with `negative: 0`, or beside negative sampling when `negative` is above 0. The full model keeps the tree's vectors, so resume and `init_from` continue them (when the merged counts of a continued run change the tree, that layer starts fresh).
   */
  hs?: boolean;
  /**
   * Threshold for down-sampling frequent words; `0` turns it off. Useful values are 1e-5 to 1e-3.
   */
  sample?: number;
  /**
   * Passes over the corpus.
   */
  epochs?: number;
  /**
   * Initial learning rate; it decays linearly to `min_alpha` over the run.
   */
  alpha?: number;
  /**
   * Final learning rate.
   */
  min_alpha?: number;
  /**
   * Worker threads. Defaults to the number of CPU cores. With `1`, a seed makes the run reproducible.
   */
  threads?: number;
  /**
   * Continue training from existing vectors: the folder of an NLP Studio word2vec run (full model, vocabulary grows with the new corpus), or a `.txt`/`.bin` word2vec file (input vectors only; the output layer starts fresh).
   */
  init_from?: string;
  /**
   * Words whose nearest neighbours are reported after each epoch, and whose drift is reported after continued training.
   *
   * @maxItems 50
   */
  watch_words?: string[];
}
/**
 * Where and what to write.
 */
export interface Output {
  /**
   * Folder for run outputs; each run writes `<dir>/<name>/`.
   */
  dir?: string;
  /**
   * Model files to write. Default: `huggingface` for classifiers; `word2vec-text` and `word2vec-binary` for word vectors. Add `onnx` for a classifier that runs in transformers.js and onnxruntime.
   *
   * @minItems 1
   */
  formats?: ('huggingface' | 'onnx' | 'word2vec-text' | 'word2vec-binary')[];
  /**
   * With `onnx` in `formats`: also write `onnx/model_quantized.onnx`, int8 weights (what transformers.js loads for `dtype: 'q8'`), about a quarter of the size. Its accuracy on the validation set, and the change from the float model, are in `summary.json` under `onnx`.
   */
  quantize?: boolean;
  /**
   * How many recent checkpoints to keep in `checkpoints/` (the best one is always kept).
   */
  keep_checkpoints?: number;
  /**
   * When to write a checkpoint to resume from (`checkpoints/`).
   */
  checkpoint_every?: 'epoch' | 'never';
}

/**
 * Per section interface: the keys with a schema `default` (engine/config/schemaDefaults.ts fills them in).
 */
export interface SchemaDefaultedKeys {
  NlpConfig: 'seed' | 'backend';
  Model: 'type' | 'revision' | 'word_ngrams' | 'ngram_buckets' | 'pooling' | 'hidden_size';
  Data: 'text_column' | 'label_column' | 'max_length' | 'lowercase' | 'multi_label' | 'label_separator' | 'bad_lines';
  Training: 'batch_size' | 'optimizer' | 'weight_decay' | 'max_grad_norm' | 'warmup_ratio' | 'eval_every' | 'decision_threshold' | 'log_every_steps';
  EarlyStopping: 'metric' | 'patience' | 'min_delta';
  Stage: 'freeze';
  Word2Vec: 'algorithm' | 'vector_size' | 'window' | 'min_count' | 'negative' | 'hs' | 'sample' | 'epochs' | 'alpha' | 'min_alpha';
  Output: 'dir' | 'quantize' | 'keep_checkpoints' | 'checkpoint_every';
}
