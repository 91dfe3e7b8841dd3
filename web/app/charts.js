// Chart.js for the dashboard and the learning screen: loaded once (a classic script, so CSP-safe
// without eval), coloured from the theme's CSS custom properties, redrawn when the theme flips,
// and exported as a PNG image or as the CSV of the numbers behind it.
import { download, el } from './ui.js';

let loading = null;

/** Resolves with window.Chart, appending the vendored UMD build the first time. */
export function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  loading ??= new Promise((resolve, reject) => {
    const script = el('script', { src: '../vendor/chart.umd.min.js' });
    script.addEventListener('load', () => resolve(window.Chart));
    script.addEventListener('error', () => { loading = null; reject(new Error('The chart library could not be loaded. Reload the page to try again.')); });
    document.head.append(script);
  });
  return loading;
}

/** The theme's colours, read from the tokens in styles.css. */
export function themeColors() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return {
    text: v('--text'), text2: v('--text-2'), text3: v('--text-3'), border: v('--border'), surface: v('--surface'),
    accent: v('--accent'), accentSoft: v('--accent-soft'), good: v('--good'), bad: v('--bad'), warn: v('--warn'),
    info: v('--info'), violet: v('--violet'), teal: v('--teal'), grey: v('--grey'), font: v('--font'),
  };
}

// Fills the canvas with the surface colour first, so an exported PNG is not transparent.
const background = {
  id: 'leadkitBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = themeColors().surface || '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

function applyTheme(Chart, chart, c) {
  Chart.defaults.font.family = c.font || Chart.defaults.font.family;
  Chart.defaults.color = c.text2;
  Chart.defaults.borderColor = c.border;
  if (!chart) return;
  for (const axis of Object.values(chart.options.scales ?? {})) {
    axis.grid = { ...(axis.grid ?? {}), color: c.border };
    axis.ticks = { ...(axis.ticks ?? {}), color: c.text2 };
    if (axis.title) axis.title.color = c.text2;
  }
  if (chart.options.plugins?.legend?.labels) chart.options.plugins.legend.labels.color = c.text2;
}

/**
 * Creates a chart in `canvas`. `config(colors)` returns the Chart.js config; it is called again
 * with new colours when the light/dark theme changes. Returns { chart, destroy }.
 */
export async function themedChart(canvas, config) {
  const Chart = await loadChart();
  const c = themeColors();
  applyTheme(Chart, null, c);
  const base = config(c);
  const chart = new Chart(canvas, {
    ...base,
    plugins: [...(base.plugins ?? []), background],
    options: { responsive: true, maintainAspectRatio: false, animation: { duration: 250 }, ...base.options },
  });
  const media = matchMedia('(prefers-color-scheme: dark)');
  const onTheme = () => {
    const next = themeColors();
    applyTheme(Chart, chart, next);
    const fresh = config(next);
    chart.data.datasets.forEach((d, i) => Object.assign(d, pickColors(fresh.data.datasets[i] ?? {})));
    chart.update('none');
  };
  media.addEventListener('change', onTheme);
  return { chart, destroy() { media.removeEventListener('change', onTheme); chart.destroy(); } };
}

function pickColors(dataset) {
  const out = {};
  for (const [k, v] of Object.entries(dataset)) if (/color/i.test(k)) out[k] = v;
  return out;
}

/**
 * Downloads the chart as a PNG with `title` and `subtitle` (say, the period) drawn above it, so
 * the image still says what it shows once it leaves the page. The chart is copied onto a taller
 * canvas; the Blob comes from toDataURL decoded by hand (no fetch of data: URLs).
 */
export function downloadPng(chart, name, { title = '', subtitle = '' } = {}) {
  const source = chart.canvas;
  const scale = source.width / (chart.width || source.width) || 1;
  const c = themeColors();
  const pad = Math.round(12 * scale);
  const titleSize = Math.round(15 * scale);
  const subtitleSize = Math.round(12 * scale);
  const head = (title ? titleSize + pad / 2 : 0) + (subtitle ? subtitleSize + pad / 2 : 0) + (title || subtitle ? pad : 0);
  const out = document.createElement('canvas');
  out.width = source.width;
  out.height = source.height + head;
  const g = out.getContext('2d');
  g.fillStyle = c.surface || '#fff';
  g.fillRect(0, 0, out.width, out.height);
  g.textBaseline = 'top';
  let y = pad;
  const font = c.font || 'system-ui, sans-serif';
  if (title) {
    g.font = `600 ${titleSize}px ${font}`;
    g.fillStyle = c.text || '#111';
    g.fillText(title, pad, y, out.width - 2 * pad);
    y += titleSize + pad / 2;
  }
  if (subtitle) {
    g.font = `${subtitleSize}px ${font}`;
    g.fillStyle = c.text2 || '#555';
    g.fillText(subtitle, pad, y, out.width - 2 * pad);
  }
  g.drawImage(source, 0, head);
  const url = out.toDataURL('image/png');
  const bytes = atob(url.slice(url.indexOf(',') + 1));
  const buffer = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) buffer[i] = bytes.charCodeAt(i);
  download(name, new Blob([buffer], { type: 'image/png' }));
}

/** rows: arrays of cells (the first is the header). Numbers that are not finite become empty. */
export function toCsv(rows) {
  const cell = (v) => {
    if (v == null || (typeof v === 'number' && !Number.isFinite(v))) return '';
    const s = String(v);
    // A leading = + - @ would run as a formula in a spreadsheet.
    const safe = typeof v === 'string' && /^[=+\-@]/.test(s) ? `'${s}` : s;
    return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export const downloadCsv = (name, rows) => download(name, toCsv(rows), 'text/csv;charset=utf-8');
