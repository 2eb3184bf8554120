// What the bundles give transformers.js for `sharp` (esbuild.mjs aliases it here). transformers.js
// imports sharp at load in Node for its image pipelines only (src/utils/image.js: `import sharp from
// 'sharp'`, then throws "Unable to load image processing library" if the import is falsy); no env flag
// skips the import. NLP Studio offers text pipelines only, so the .vsix does not ship sharp and its
// native libvips: the import finds this function, and an image pipeline that calls it gets the reason.
export default function sharp(): never {
  throw new Error('image pipelines are not part of NLP Studio: its bundles leave out sharp (libvips), which transformers.js needs for images');
}
