// VS Code's theme reaches a webview as CSS variables on <html> and a class on <body>
// (vscode-light / vscode-dark / vscode-high-contrast). Canvas drawing needs the colours as strings.

export interface ThemeColours {
  foreground: string;
  muted: string;
  background: string;
  grid: string;
  blue: string;
  orange: string;
  green: string;
  red: string;
  purple: string;
  yellow: string;
  focus: string;
  font: string;
}

function read(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export function readTheme(): ThemeColours {
  const style = getComputedStyle(document.documentElement);
  const dark = !document.body.classList.contains('vscode-light');
  const highContrast = document.body.classList.contains('vscode-high-contrast');
  const foreground = read(style, '--vscode-editor-foreground', dark ? '#cccccc' : '#333333');
  const border = read(style, '--vscode-editorWidget-border', dark ? '#454545' : '#c8c8c8');
  return {
    foreground,
    muted: read(style, '--vscode-descriptionForeground', dark ? '#9d9d9d' : '#717171'),
    background: read(style, '--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    // High contrast borders are at full strength: gridlines that bright would drown the curves.
    grid: highContrast ? withAlpha(border, 0.45) : border,
    blue: read(style, '--vscode-charts-blue', '#3794ff'),
    orange: read(style, '--vscode-charts-orange', '#d18616'),
    green: read(style, '--vscode-charts-green', '#89d185'),
    red: read(style, '--vscode-charts-red', '#f14c4c'),
    purple: read(style, '--vscode-charts-purple', '#b180d7'),
    yellow: read(style, '--vscode-charts-yellow', '#cca700'),
    focus: read(style, '--vscode-focusBorder', '#007fd4'),
    font: `${read(style, '--vscode-font-size', '13px')} ${read(style, '--vscode-font-family', 'sans-serif')}`,
  };
}

/** `colour` at `alpha` (0..1), for #rgb/#rrggbb; other notations are returned as they are. */
export function withAlpha(colour: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(colour)?.[1];
  if (!hex) return colour;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** Calls `onChange` when VS Code switches theme (it swaps the body's class and the variables). */
export function onThemeChange(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}
