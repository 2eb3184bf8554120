// The environment report for a person, as Markdown: the editor shows it as a read-only preview and
// `nlp-studio env` prints it. What training runs on comes first, then why (not) the GPU, then the
// details per route, then what to do.
import { CUDA_REQUIREMENT, type EnvironmentReport } from './environmentReport';
import { VULKAN_LOADER, type WebGpuAdapterReport } from './webgpuBackend';

const yesNo = (value: boolean | undefined): string => (value === undefined ? '—' : value ? 'yes' : 'no');
const cell = (text: string): string => text.replace(/\|/g, '\\|');

const DAWN_API: Record<WebGpuAdapterReport['backend'], string> = { vulkan: 'Vulkan', d3d12: 'D3D12', metal: 'Metal', opengles: 'OpenGL ES' };

function bytes(value: number | undefined): string {
  if (value === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB'];
  let unit = 0;
  let size = value;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${Number.isInteger(size) ? size : size.toFixed(1)} ${units[unit]}`;
}

function adapterRow(adapter: WebGpuAdapterReport): string {
  const name = adapter.device || adapter.description || '(unnamed)';
  const api = `${DAWN_API[adapter.backend]}${adapter.featureLevel === 'compatibility' ? ' (compatibility)' : ''}`;
  const kind = adapter.software ? `software${adapter.isFallbackAdapter ? ' (fallback)' : ''}: never used by \`auto\`` : 'GPU';
  const { limits } = adapter;
  return `| ${cell(name)} | ${api} | ${cell(adapter.vendor || '—')} | ${cell(adapter.architecture || '—')} | ${kind} | ${bytes(limits.maxBufferSize)} | ${bytes(limits.maxStorageBufferBindingSize)} | ${bytes(limits.maxComputeWorkgroupStorageSize)} | ${limits.maxComputeInvocationsPerWorkgroup ?? '—'} |`;
}

function webgpuSection(report: EnvironmentReport): string[] {
  const { webgpu } = report;
  const lines = ['## GPU through WebGPU (Dawn, ships with NLP Studio)', ''];
  lines.push(`- Dawn: ${webgpu.binary ? `${webgpu.binary.path}${webgpu.binary.version ? ` (webgpu ${webgpu.binary.version})` : ''}` : 'not found'}`);
  if (webgpu.unavailable) lines.push(`- cannot start: ${webgpu.unavailable}`);
  if (webgpu.vulkan) {
    const { loader, icds, icdSource } = webgpu.vulkan;
    lines.push(`- Vulkan loader (${VULKAN_LOADER}): ${loader.found.length > 0 ? loader.found.join(', ') : 'not found'}`);
    const drivers = icds.map((icd) => `${icd.manifest}${icd.library ? ` → ${icd.library}` : ' (unreadable)'}`);
    lines.push(`- Vulkan drivers (ICDs, from ${icdSource}): ${drivers.length > 0 ? drivers.join(', ') : 'none'}`);
  }
  // The loader line above already says when Vulkan could not be tried.
  for (const note of webgpu.notes) if (!(webgpu.vulkan && note.startsWith(`vulkan: no Vulkan loader`))) lines.push(`- ${note}`);
  if (webgpu.adapters.length > 0) {
    lines.push('', '| adapter | API | vendor | architecture | kind | max buffer | max storage binding | workgroup memory | invocations per workgroup |', '|---|---|---|---|---|---|---|---|---|');
    for (const adapter of webgpu.adapters) lines.push(adapterRow(adapter));
  }
  return lines;
}

function nvidiaSection(report: EnvironmentReport): string[] {
  const lines = ['## NVIDIA GPU through TensorFlow (optional tfjs-node-gpu)', ''];
  lines.push(`tfjs-node-gpu 4.22 needs CUDA ${CUDA_REQUIREMENT.cuda} and cuDNN ${CUDA_REQUIREMENT.cudnn}; WebGPU above needs neither.`, '');
  lines.push(`- nvidia-smi: ${report.cuda.nvidiaSmi ?? 'not on PATH'}`);
  for (const gpu of report.cuda.gpus) lines.push(`- GPU: ${gpu}`);
  for (const library of report.cuda.libraries) lines.push(`- ${library.name}*: ${library.found.length > 0 ? library.found.join(', ') : 'not found'}`);
  if (report.cuda.searched.length > 0) lines.push(`- searched: ${report.cuda.searched.join(', ')}`);
  lines.push('', '| package | installed | version | loads |', '|---|---|---|---|');
  for (const binding of report.bindings) {
    const loads = binding.loadable === false ? `no: ${binding.loadError ?? ''}` : yesNo(binding.loadable);
    lines.push(`| \`${binding.name}\` | ${yesNo(binding.installed)} | ${binding.version ?? '—'} | ${cell(loads)} |`);
  }
  return lines;
}

function wasmSection(report: EnvironmentReport): string[] {
  const lines = ['## CPU through WebAssembly (ships with NLP Studio)', ''];
  lines.push(`- loads: ${yesNo(report.wasm.ok)}${report.wasm.error ? ` (${report.wasm.error})` : ''}`);
  lines.push(`- SIMD: ${yesNo(report.wasm.simd)}`);
  if (report.wasm.folder) lines.push(`- binaries: ${report.wasm.folder}`);
  if (report.wasm.nativeGemm) lines.push(`- matrix products: ${report.wasm.nativeGemm.loaded ? report.wasm.nativeGemm.note : `XNNPACK in WebAssembly; ${report.wasm.nativeGemm.note}`}`);
  return lines;
}

function huggingfaceSection(report: EnvironmentReport): string[] {
  const { cacheDir, models, offline, endpoint, token } = report.huggingface;
  const shown = models.length <= 12 ? models : [...models.slice(0, 12), `and ${models.length - 12} more`];
  return [
    '## Models from the Hugging Face Hub',
    '',
    `- cache (shared with Python's huggingface_hub): ${cacheDir}`,
    `- cached models: ${models.length === 0 ? 'none' : shown.map((id) => (id.startsWith('and ') ? id : `\`${id}\``)).join(', ')}`,
    `- downloads: ${offline ? 'off (HF_HUB_OFFLINE is set): only cached models can be used' : `from ${endpoint ?? 'the Hugging Face Hub'} when a model is not cached`}`,
    `- token: ${token ? `from ${token}` : 'none (public models only; set HF_TOKEN or run huggingface-cli login for gated and private ones)'}`,
  ];
}

export function formatEnvironmentReport(report: EnvironmentReport): string {
  const { node, install, auto } = report;
  const runsOn = 'name' in auto ? `**Fine-tuning runs on:** ${auto.device} (\`backend: auto\` picks \`${auto.name}\`).` : `**No backend works here:** ${auto.error}`;
  const installed = install.kind === 'vsix' ? `the installed extension (${install.root})` : `a checkout of NLP Studio (${install.root})`;
  const lines = [
    '# NLP Studio training environment',
    '',
    runsOn,
    '',
    report.gpuVerdict,
    '',
    `Word-vector pretraining (\`task: word2vec\`) runs on NLP Studio's own WebAssembly kernels in CPU worker threads, whatever \`backend\` says.`,
    '',
    `The engine runs on ${node.runtime} (${node.platform}-${node.arch}, ${node.cpus} CPU${node.cpus === 1 ? '' : 's'}), from ${installed}.`,
    '',
    ...webgpuSection(report),
    '',
    ...wasmSection(report),
    '',
    ...nvidiaSection(report),
    '',
    ...huggingfaceSection(report),
    '',
    '## What to do',
    '',
  ];
  if (report.advice.length === 0) lines.push('Nothing: training uses the GPU.');
  else for (const item of report.advice) lines.push(`- ${item}`);
  if ('name' in auto) lines.push('', `Why \`auto\` chose ${auto.name}: ${auto.reason.replace(/^auto: /, '')}.`);
  return `${lines.join('\n')}\n`;
}
