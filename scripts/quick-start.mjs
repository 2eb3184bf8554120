// `npm run example`: the seed recipe of transfer learning on the bundled data, through the CLI a user
// would run by hand. 1. word vectors pretrained by NLP Studio's word2vec on State of the Union
// addresses; 2. a spam classifier from them: frozen vectors while the head learns, then everything at a
// smaller rate; 3. the same classifier from random vectors, on the same split. Then how the two compare
// on the validation e-mails and on short sentences of the kind one selects in an editor.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'out', 'cli.js');
const examples = join(root, 'examples');
const SENTENCES = [
  'Click here to win FREE money now',
  'Can we move the project meeting to Thursday?',
  'Limited offer: cheap meds, order today',
  'Thanks, I will review the patch tomorrow.',
];
const RUNS = [
  { config: 'word2vec-sotu.nlp.yaml', what: 'word vectors: skip-gram on State of the Union addresses (2005–2017)' },
  { config: 'classify-spam.nlp.yaml', what: 'the spam classifier from those vectors: frozen while the head learns, then everything at a smaller rate', name: 'pretrained vectors, staged' },
  { config: 'classify-spam-random.nlp.yaml', what: 'the same classifier from random vectors, on the same split', name: 'random initialisation' },
];

function nlpStudio(args, inherit) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: examples, encoding: 'utf8', stdio: inherit ? 'inherit' : 'pipe' });
  if (result.status !== 0) {
    process.stderr.write(`nlp-studio ${args.join(' ')} failed (exit ${result.status})\n${result.stderr ?? ''}`);
    process.exit(1);
  }
  return result.stdout ?? '';
}

const runFolder = (config) => join(examples, 'runs', /^name: (\S+)$/m.exec(readFileSync(join(examples, config), 'utf8'))[1]);

RUNS.forEach((run, index) => {
  process.stderr.write(`\n[${index + 1}/${RUNS.length}] ${run.what}\n    nlp-studio train examples/${run.config}\n`);
  nlpStudio(['train', run.config], true);
});

const classifiers = RUNS.filter((run) => run.name).map((run) => {
  const folder = runFolder(run.config);
  const summary = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8'));
  const predictions = nlpStudio(['predict', folder, ...SENTENCES], false)
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  return { ...run, folder, summary, predictions };
});

const pad = (text, width) => String(text).padEnd(width);
const lines = [
  '',
  `Transfer learning on ${classifiers[0].summary.labels.join('/')} e-mails, validation split (examples/data/spam-valid.csv):`,
  `  ${pad('', 28)} ${pad('accuracy', 9)} ${pad('macro-F1', 9)} time`,
  ...classifiers.map((c) => `  ${pad(c.name, 28)} ${pad(c.summary.validation.accuracy.toFixed(4), 9)} ${pad(c.summary.validation.macroF1.toFixed(4), 9)} ${c.summary.elapsedSeconds.toFixed(1)} s`),
  `  pretrained − random: accuracy ${(classifiers[0].summary.validation.accuracy - classifiers[1].summary.validation.accuracy).toFixed(4)}, macro-F1 ${(classifiers[0].summary.validation.macroF1 - classifiers[1].summary.validation.macroF1).toFixed(4)}`,
  '',
  'Short sentences (label and its probability):',
  `  ${pad('', 46)} ${pad(classifiers[0].name, 28)} ${classifiers[1].name}`,
  ...SENTENCES.map((sentence, i) => {
    const cell = (c) => `${c.predictions[i].label} ${c.predictions[i].probabilities[c.predictions[i].label].toFixed(3)}`;
    return `  ${pad(sentence, 46)} ${pad(cell(classifiers[0]), 28)} ${cell(classifiers[1])}`;
  }),
  '',
  'Next:',
  `  npx nlp-studio predict examples/runs/classify-spam "some text"   # one JSON line per text`,
  '  In VS Code: "NLP Studio: Predict on selection" on any text; "NLP Studio: Show training panel" overlays the two runs.',
  '',
];
process.stdout.write(lines.join('\n'));
